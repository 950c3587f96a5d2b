/**
 * Wire format of the agency-records protocol `anju-agency/1` (docs/agencies.md): a JSON request per query,
 * a JSON answer signed with SM2-SM3 over the canonical JSON (RFC 8785 subset, domain/lottery/CanonicalJson)
 * of the `answer` object. The answer echoes the request's source, digest and a fresh nonce, so a signed
 * answer can be used for the request it was made for and no other. Shared by the client and the simulator.
 */
import { Schema } from "effect"
import { CaseKind, CheckSource } from "../../domain/cases/Case.js"
import { canonicalJson } from "../../domain/lottery/CanonicalJson.js"

export const PROTOCOL = "anju-agency/1"

/** Path of the query endpoint under the agency base URL. */
export const VERIFICATIONS_PATH = "/v1/verifications"

const Hex = (length: number) =>
  Schema.String.check(Schema.isPattern(new RegExp(`^[0-9a-f]{${length}}$`, "u")))

/** Request body (`POST /v1/verifications`). Carries plain ID numbers: TLS only, never logged. */
export const WireRequest = Schema.Struct({
  protocol: Schema.Literal(PROTOCOL),
  source: CheckSource,
  caseId: Schema.String,
  kind: CaseKind,
  requestDigest: Schema.String,
  /** 32 lowercase hex characters, fresh per request (also per retry). */
  nonce: Hex(32),
  subjects: Schema.Array(
    Schema.Struct({
      role: Schema.Literals(["applicant", "co_applicant", "co_resident"]),
      name: Schema.String,
      idNumber: Schema.String,
    }),
  ),
})
export type WireRequest = typeof WireRequest.Type

/** The signed part of a response. */
export const WireAnswer = Schema.Struct({
  protocol: Schema.Literal(PROTOCOL),
  source: CheckSource,
  requestDigest: Schema.String,
  nonce: Hex(32),
  result: Schema.Literals(["pass", "fail", "pending"]),
  detail: Schema.String,
  /** When the agency answered, ISO 8601 with offset (informational; the caller records its own time). */
  answeredAt: Schema.String,
})
export type WireAnswer = typeof WireAnswer.Type

/** Response body of a 200: the answer and the SM2 signature over `signingBytes(answer)`. */
export const WireResponse = Schema.Struct({
  answer: WireAnswer,
  signature: Schema.Struct({
    algorithm: Schema.Literal("SM2-SM3"),
    /** SM2 user id that entered Z (default 1234567812345678). */
    userId: Schema.String,
    /** Informational: the client verifies under its configured key, never under this one. */
    publicKey: Schema.optionalKey(Schema.String),
    /** r ‖ s, 128 hex characters (no DER). */
    value: Schema.String,
  }),
})
export type WireResponse = typeof WireResponse.Type

/** Body of a non-200 response (4xx: the request was refused; 5xx/429: try again later). */
export const WireProblem = Schema.Struct({ error: Schema.String, message: Schema.String })

/** The bytes a signature covers: UTF-8 of the canonical JSON of the answer object. */
export const signingBytes = (answer: WireAnswer): Uint8Array =>
  new TextEncoder().encode(canonicalJson({ ...answer }))
