import { clockSuite, suite } from "../../contracts-tests/JobQueue.contract.js"
import { layer } from "./MemoryJobQueue.js"

suite("memory", layer)
clockSuite("memory", layer)
