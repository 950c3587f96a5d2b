import { suite } from "../../contracts-tests/Ledger.contract.js"
import { layer } from "./PgliteLedger.js"

suite("pglite", layer())
