import { suite } from "../../contracts-tests/StockStore.contract.js"
import { layer } from "./PgliteStockStore.js"

suite("pglite", layer())
