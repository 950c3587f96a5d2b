import { suite } from "../../contracts-tests/StockStore.contract.js"
import { layer } from "./MemoryStockStore.js"

suite("memory", layer)
