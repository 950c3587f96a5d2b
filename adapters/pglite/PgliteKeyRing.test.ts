// The KeyManagement contract for the software KMS over the PGlite key ring.
import { Layer, Redacted } from "effect"
import { suite } from "../../contracts-tests/KeyManagement.contract.js"
import * as SoftwareKeyManagement from "../kms/SoftwareKeyManagement.js"
import { layer } from "./PgliteKeyRing.js"

suite(
  "software over pglite",
  SoftwareKeyManagement.layer({ masterKey: Redacted.make("00112233445566778899aabbccddeeff") }).pipe(
    Layer.provide(layer()),
  ),
)
