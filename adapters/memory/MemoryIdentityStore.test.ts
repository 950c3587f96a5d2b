import { suite } from "../../contracts-tests/IdentityStore.contract.js"
import { layer } from "./MemoryIdentityStore.js"

suite("memory", layer)
