import { clockSuite, suite } from "../../contracts-tests/JobQueue.contract.js"
import { layer } from "./PgliteJobQueue.js"

const queue = layer()
suite("pglite", queue)
clockSuite("pglite", queue)
