import { suite } from "../../contracts-tests/QueueStore.contract.js"
import { layer } from "./PgliteQueueStore.js"

suite("pglite", layer())
