import { suite } from "../../contracts-tests/FeedStore.contract.js"
import { layerTest } from "./PgFeedStore.js"

// Never skipped: an unreachable server fails the suite (the layer fails to start). A private schema per run.
suite(
  "postgres",
  layerTest({ url: process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test" }),
)
