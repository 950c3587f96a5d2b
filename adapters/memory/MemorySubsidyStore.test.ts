import { suite } from "../../contracts-tests/SubsidyStore.contract.js"
import { layer } from "./MemorySubsidyStore.js"

suite("memory", layer)
