import { suite } from "../../contracts-tests/CaseStore.contract.js"
import { layer } from "./PgliteCaseStore.js"

suite("pglite", layer())
