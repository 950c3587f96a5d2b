import { suite } from "../../contracts-tests/IdentityStore.contract.js"
import { layer } from "./PgliteIdentityStore.js"

suite("pglite", layer())
