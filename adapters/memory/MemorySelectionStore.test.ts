import { Layer } from "effect"
import { suite } from "../../contracts-tests/SelectionStore.contract.js"
import * as MemoryStockStore from "./MemoryStockStore.js"
import { layer } from "./MemorySelectionStore.js"

suite("memory", Layer.provideMerge(layer, MemoryStockStore.layer))
