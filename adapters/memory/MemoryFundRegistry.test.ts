import { Layer } from "effect"
import { suite } from "../../contracts-tests/FundRegistry.contract.js"
import * as MemoryLedger from "./MemoryLedger.js"
import { layer } from "./MemoryFundRegistry.js"

suite("memory", Layer.provideMerge(layer, MemoryLedger.layer))
