import { suite } from "../../contracts-tests/WarningStore.contract.js"
import { layer } from "./PgliteWarningStore.js"

suite("pglite", layer())
