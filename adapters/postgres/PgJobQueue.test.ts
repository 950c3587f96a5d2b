import { Layer } from "effect"
import { clockSuite, suite } from "../../contracts-tests/JobQueue.contract.js"
import { layerTest } from "./PgDatabase.js"
import { layer } from "./PgJobQueue.js"

// Never skipped: an unreachable server fails the suite (the layer fails to start).
const queue = Layer.provide(
  layer,
  layerTest({ url: process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test" }),
)
suite("postgres", queue)
clockSuite("postgres", queue)
