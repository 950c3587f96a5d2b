import { Layer } from "effect"
import { suite } from "../../contracts-tests/SubsidyStore.contract.js"
import { layerTest } from "./PgDatabase.js"
import { layer } from "./PgSubsidyStore.js"

// Never skipped: an unreachable server fails the suite (the layer fails to start).
suite(
  "postgres",
  Layer.provide(
    layer,
    layerTest({ url: process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test" }),
  ),
)
