import { Layer } from "effect"
import { suite } from "../../contracts-tests/ContractStore.contract.js"
import { layerTest } from "./PgDatabase.js"
import { layer } from "./PgContractStore.js"
import * as PgStockStore from "./PgStockStore.js"

// Never skipped: an unreachable server fails the suite. Concurrent commits take two pool connections.
suite(
  "postgres",
  Layer.mergeAll(layer, PgStockStore.layer).pipe(
    Layer.provide(
      layerTest({ url: process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test" }),
    ),
  ),
)
