import { suite } from "../../contracts-tests/JobQueue.contract.js"
import { layerTest } from "./BullmqJobQueue.js"

// Never skipped: in CI (`.ci/run` sets REDIS_URL) a missing variable is an error; locally the default
// address is used and an unreachable Redis fails the suite (the layer fails to start). The clock laws
// (TestClock) do not apply: BullMQ takes its time from Redis and Date.now.
const url = process.env["REDIS_URL"]
if (url === undefined && process.env["CI"] !== undefined) throw new Error("REDIS_URL is required in CI")
suite("bullmq", layerTest({ url: url ?? "redis://127.0.0.1:6379" }))
