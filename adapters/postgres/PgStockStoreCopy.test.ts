/** The StockStore contract on PostgreSQL with every write through COPY and the staging merge (issue 16). */
import { Layer } from "effect"
import { suite } from "../../contracts-tests/StockStore.contract.js"
import { layerTest } from "./PgDatabase.js"
import { makeWith } from "./PgStockStore.js"
import { StockStore } from "../../application/ports/StockStore.js"

suite(
  "postgres (COPY writes)",
  Layer.provide(
    Layer.effect(StockStore, makeWith({ copyFromRecords: 0 })),
    layerTest({ url: process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test" }),
  ),
)
