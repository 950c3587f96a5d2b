import { suite } from "../../contracts-tests/WarningStore.contract.js"
import { layer } from "./MemoryWarningStore.js"

suite("memory", layer)
