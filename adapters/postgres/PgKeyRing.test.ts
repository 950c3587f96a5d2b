// The KeyManagement contract for the software KMS over the PostgreSQL key ring (a private schema).
import { Layer, Redacted } from "effect"
import { suite } from "../../contracts-tests/KeyManagement.contract.js"
import * as SoftwareKeyManagement from "../kms/SoftwareKeyManagement.js"
import { layerTest } from "./PgDatabase.js"
import { layer } from "./PgKeyRing.js"

// Never skipped: an unreachable server fails the suite (the layer fails to start).
suite(
  "software over postgres",
  SoftwareKeyManagement.layer({ masterKey: Redacted.make("00112233445566778899aabbccddeeff") }).pipe(
    Layer.provide(layer),
    Layer.provide(
      layerTest({ url: process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test" }),
    ),
  ),
)
