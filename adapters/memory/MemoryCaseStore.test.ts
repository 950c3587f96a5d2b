import { suite } from "../../contracts-tests/CaseStore.contract.js"
import { layer } from "./MemoryCaseStore.js"

suite("memory", layer)
