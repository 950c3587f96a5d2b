/**
 * AgencyRecords over JSON/HTTP (protocol `anju-agency/1`, docs/agencies.md) with Node's fetch. One query is
 * one POST; the answer counts only when its SM2 signature verifies under the CONFIGURED public key and it
 * echoes this request's source, digest and nonce — otherwise `Untrusted`, never evidence. 429/5xx and
 * network errors are `Unavailable`, other non-200s `Rejected`. Composition: circuit breaker ∘ retries with
 * backoff and a per-attempt timeout (adapters/resilience/RetryingAgencyRecords) ∘ one HTTP attempt.
 */
import { randomBytes } from "node:crypto"
import { Data, Duration, Effect, Layer, Result, Schema } from "effect"
import {
  type AgencyAnswer,
  AgencyRecords,
  AgencyRecordsError,
  type AgencyRecordsErrorReason,
  type AgencyRequest,
} from "../../application/ports/AgencyRecords.js"
import { DEFAULT_SM2_USER_ID, sm2SignatureValid } from "../../domain/lottery/Transcript.js"
import * as RetryingAgencyRecords from "../resilience/RetryingAgencyRecords.js"
import {
  PROTOCOL,
  signingBytes,
  VERIFICATIONS_PATH,
  type WireRequest,
  WireProblem,
  WireResponse,
} from "./AgencyWire.js"
import * as CircuitBreaker from "./CircuitBreaker.js"

export interface HttpAgencyOptions {
  /** Base URL of the agency gateway (http or https); queries go to `<url>/v1/verifications`. */
  readonly url: string
  /** The agency's SM2 public key, uncompressed (04 ‖ x ‖ y, 130 hex characters): answers must verify under it. */
  readonly publicKey: string
  /** SM2 user id of the agency's signatures (default 1234567812345678). */
  readonly userId?: string
  /** Bound on one attempt, connection included (default 5 s). */
  readonly timeout?: Duration.Input
  /** Further attempts after a retryable failure (default 2). */
  readonly retries?: number
  /** First backoff delay, doubled per retry (default 200 ms). */
  readonly backoff?: Duration.Input
  readonly breaker?: CircuitBreaker.BreakerOptions
  /** The fetch to use (default the global one); for tests. */
  readonly fetch?: typeof globalThis.fetch
}

/** The options cannot work (bad URL or key): a start-up failure, never a port error. */
export class HttpAgencyConfigInvalid extends Data.TaggedError("HttpAgencyConfigInvalid")<{
  readonly message: string
}> {}

export const PUBLIC_KEY_PATTERN = /^04[0-9a-f]{128}$/iu
/** Longest agency text kept in an error detail (the rest is cut). */
const MAX_DETAIL = 200

const fail = (reason: AgencyRecordsErrorReason) => Effect.fail(new AgencyRecordsError({ reason }))

/** Printable, short, single-line text from an untrusted source. */
const clip = (text: string) => {
  const flat = text.replace(/\p{Cc}+/gu, " ").trim()
  return flat.length > MAX_DETAIL ? `${flat.slice(0, MAX_DETAIL)}…` : flat
}

const decodeResponse = Schema.decodeUnknownResult(WireResponse)
const decodeProblem = Schema.decodeUnknownResult(WireProblem)

const parseJson = (text: string): Result.Result<unknown, void> => {
  try {
    return Result.succeed(JSON.parse(text) as unknown)
  } catch {
    return Result.fail(undefined)
  }
}

/** One HTTP attempt, no timeout, no retry (the decorators add them). */
export const makeAttempt = (options: HttpAgencyOptions): AgencyRecords["Service"] => {
  const endpoint = `${options.url.replace(/\/+$/u, "")}${VERIFICATIONS_PATH}`
  const publicKey = options.publicKey.toLowerCase()
  const userId = options.userId ?? DEFAULT_SM2_USER_ID
  const fetchFn = options.fetch ?? globalThis.fetch
  return {
    query: (request: AgencyRequest) =>
      Effect.gen(function* () {
        const source = request.source
        const nonce = randomBytes(16).toString("hex")
        const body: WireRequest = {
          protocol: PROTOCOL,
          source,
          caseId: request.caseId,
          kind: request.kind,
          requestDigest: request.requestDigest,
          nonce,
          subjects: request.subjects.map((s) => ({ role: s.role, name: s.name, idNumber: s.idNumber })),
        }
        // Interruption (the per-attempt timeout) aborts the request through `signal`.
        const { status, text } = yield* Effect.tryPromise({
          try: async (signal) => {
            const res = await fetchFn(endpoint, {
              method: "POST",
              headers: { "content-type": "application/json", accept: "application/json" },
              body: JSON.stringify(body),
              signal,
            })
            return { status: res.status, text: await res.text() }
          },
          catch: (e) =>
            new AgencyRecordsError({
              reason: {
                _tag: "Unavailable",
                source,
                detail: `cannot reach the agency: ${clip(e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e))}`,
              },
            }),
        })
        const json = parseJson(text)
        if (status !== 200) {
          const problem = Result.isSuccess(json) ? decodeProblem(json.success) : undefined
          const said =
            problem !== undefined && Result.isSuccess(problem)
              ? `${clip(problem.success.error)}: ${clip(problem.success.message)}`
              : "no problem description"
          return yield* status === 429 || status >= 500
            ? fail({ _tag: "Unavailable", source, detail: `agency answered HTTP ${status} (${said})` })
            : fail({
                _tag: "Rejected",
                source,
                detail: `agency refused the request: HTTP ${status} (${said})`,
              })
        }
        if (Result.isFailure(json))
          return yield* fail({ _tag: "Untrusted", source, detail: "answer is not JSON" })
        const decoded = decodeResponse(json.success)
        if (Result.isFailure(decoded))
          return yield* fail({
            _tag: "Untrusted",
            source,
            detail: "answer does not follow anju-agency/1 (signature or fields missing)",
          })
        const { answer, signature } = decoded.success
        const valid = sm2SignatureValid(signingBytes(answer), {
          algorithm: signature.algorithm,
          userId,
          publicKey,
          value: signature.value,
        })
        if (!valid || signature.userId !== userId)
          return yield* fail({
            _tag: "Untrusted",
            source,
            detail: "answer signature does not verify under the configured agency public key",
          })
        if (
          answer.source !== source ||
          answer.requestDigest !== request.requestDigest ||
          answer.nonce !== nonce
        )
          return yield* fail({ _tag: "Untrusted", source, detail: "signed answer is not for this request" })
        const result: AgencyAnswer = { result: answer.result, detail: answer.detail }
        return result
      }),
  }
}

/** Checks the options that can be checked before any request. */
export const validate = (options: HttpAgencyOptions): Result.Result<void, HttpAgencyConfigInvalid> => {
  let url: URL | undefined
  try {
    url = new URL(options.url)
  } catch {
    url = undefined
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:"))
    return Result.fail(new HttpAgencyConfigInvalid({ message: "the agency URL must be an http(s) URL" }))
  if (!PUBLIC_KEY_PATTERN.test(options.publicKey))
    return Result.fail(
      new HttpAgencyConfigInvalid({
        message: "the agency public key must be an uncompressed SM2 key: 04 followed by 128 hex characters",
      }),
    )
  return Result.succeed(undefined)
}

/** The full client: breaker over retries (with the per-attempt timeout) over one HTTP attempt. */
export const make = (
  options: HttpAgencyOptions,
): Effect.Effect<CircuitBreaker.Breaker, HttpAgencyConfigInvalid> =>
  Effect.suspend(() => {
    const checked = validate(options)
    if (Result.isFailure(checked)) return Effect.fail(checked.failure)
    const retrying = RetryingAgencyRecords.wrap(makeAttempt(options), {
      attemptTimeout: options.timeout ?? Duration.seconds(5),
      retries: options.retries ?? 2,
      backoff: options.backoff ?? Duration.millis(200),
    })
    return Effect.succeed(CircuitBreaker.wrap(retrying, options.breaker))
  })

export const layer = (options: HttpAgencyOptions): Layer.Layer<AgencyRecords, HttpAgencyConfigInvalid> =>
  Layer.effect(
    AgencyRecords,
    Effect.map(make(options), (b) => b.service),
  )
