import { samplePolicyFiles, suite } from "../../contracts-tests/PolicySource.contract.js"
import { layer } from "./MemoryPolicySource.js"

suite("memory", layer(samplePolicyFiles), { broken: layer([]) })
