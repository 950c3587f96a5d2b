import { Layer } from "effect"
import { suite } from "../../contracts-tests/ContractStore.contract.js"
import { layer } from "./MemoryContractStore.js"
import * as MemoryStockStore from "./MemoryStockStore.js"

suite("memory", Layer.provideMerge(layer, MemoryStockStore.layer))
