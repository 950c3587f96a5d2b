import { Layer } from "effect"
import { suite } from "../../contracts-tests/SelectionStore.contract.js"
import * as PgSelectionStore from "../postgres/PgSelectionStore.js"
import * as PgStockStore from "../postgres/PgStockStore.js"
import { layer as pgliteDatabase } from "./PgliteDatabase.js"

// One PGlite database holds the stock and the sessions, as in the host.
suite(
  "pglite",
  Layer.mergeAll(PgSelectionStore.layer, PgStockStore.layer).pipe(Layer.provide(pgliteDatabase())),
)
