import { Layer } from "effect"
import { suite } from "../../contracts-tests/ContractStore.contract.js"
import * as PgContractStore from "../postgres/PgContractStore.js"
import * as PgStockStore from "../postgres/PgStockStore.js"
import { layer as pgliteDatabase } from "./PgliteDatabase.js"

// One PGlite database holds the stock and the contracts, as in the host.
suite(
  "pglite",
  Layer.mergeAll(PgContractStore.layer, PgStockStore.layer).pipe(Layer.provide(pgliteDatabase())),
)
