import { suite } from "../../contracts-tests/QueueStore.contract.js"
import { layer } from "./MemoryQueueStore.js"

suite("memory", layer)
