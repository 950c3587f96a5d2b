import { suite } from "../../contracts-tests/SubsidyStore.contract.js"
import { layer } from "./PgliteSubsidyStore.js"

suite("pglite", layer())
