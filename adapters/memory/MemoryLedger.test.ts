import { suite } from "../../contracts-tests/Ledger.contract.js"
import { layer } from "./MemoryLedger.js"

suite("memory", layer)
