/**
 * HttpAgencyRecords over a scripted fetch (the process-level test is hosts/agency-sim/AgencySimProcess.test.ts):
 * the request carries a fresh nonce and the answer must echo it under a valid signature; 4xx → Rejected,
 * not retried; 503 and network errors → Unavailable, retried; non-JSON or unsigned bodies → Untrusted;
 * bad URLs and keys are refused before any request.
 */
import { Effect, Exit, Redacted, Result } from "effect"
import { sm2 } from "sm-crypto-v2"
import { describe, expect, it } from "vitest"
import type { AgencyRecordsError, AgencyRequest } from "../../application/ports/AgencyRecords.js"
import * as Sm2Signer from "../sm/Sm2Signer.js"
import { signingBytes, type WireAnswer, type WireRequest } from "./AgencyWire.js"
import * as Http from "./HttpAgencyRecords.js"

const keys = sm2.generateKeyPairHex()
const signer = Effect.runSync(Sm2Signer.make({ privateKey: Redacted.make(keys.privateKey) }))
const request: AgencyRequest = {
  source: "marriage",
  caseId: "C1",
  kind: "gongzu",
  subjects: [{ role: "applicant", name: "王五", idNumber: "310115198503120012" }],
  requestDigest: "digest-1",
}

/** A fetch answering from `respond`, recording the requests it saw. */
const fakeFetch = (respond: (body: WireRequest, n: number) => { status: number; body: string }) => {
  const seen: Array<WireRequest> = []
  const fetch = (async (_url: string, init: RequestInit) => {
    const body = JSON.parse(String(init.body)) as WireRequest
    seen.push(body)
    const r = respond(body, seen.length)
    return new Response(r.body, { status: r.status })
  }) as unknown as typeof globalThis.fetch
  return { fetch, seen }
}

const signed = async (req: WireRequest, override: Partial<WireAnswer> = {}) => {
  const answer: WireAnswer = {
    protocol: "anju-agency/1",
    source: req.source,
    requestDigest: req.requestDigest,
    nonce: req.nonce,
    result: "pass",
    detail: "ok",
    answeredAt: "2026-01-01T00:00:00Z",
    ...override,
  }
  const s = await Effect.runPromise(signer.sign(signingBytes(answer)))
  return JSON.stringify({ answer, signature: { algorithm: "SM2-SM3", userId: s.userId, value: s.value } })
}

const run = async (f: ReturnType<typeof fakeFetch>["fetch"], retries = 2) => {
  const client = await Effect.runPromise(
    Http.make({ url: "http://agency.test", publicKey: keys.publicKey, fetch: f, retries, backoff: 1 }),
  )
  return Effect.runPromiseExit(client.service.query(request))
}
const reasonOf = (exit: Exit.Exit<unknown, AgencyRecordsError>) =>
  Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail")?.error.reason : undefined

describe("HttpAgencyRecords (scripted fetch)", () => {
  it("sends a fresh nonce per attempt and accepts the answer signed for it", async () => {
    const answers = new Map<string, string>()
    const f = fakeFetch((b, n) => {
      if (n === 1) return { status: 503, body: '{"error":"busy","message":"later"}' }
      return { status: 200, body: answers.get(b.nonce) ?? "" }
    })
    const wrapped = ((url: string, init: RequestInit) =>
      signed(JSON.parse(String(init.body)) as WireRequest).then((text) => {
        answers.set((JSON.parse(String(init.body)) as WireRequest).nonce, text)
        return f.fetch(url, init)
      })) as unknown as typeof fetch
    const exit = await run(wrapped)
    expect(Exit.isSuccess(exit) && exit.value).toEqual({ result: "pass", detail: "ok" })
    expect(f.seen.length).toBe(2)
    expect(f.seen[0]!.nonce).not.toBe(f.seen[1]!.nonce)
    expect(f.seen[1]).toMatchObject({
      protocol: "anju-agency/1",
      source: "marriage",
      requestDigest: "digest-1",
    })
  })

  it("maps statuses: 4xx Rejected once, 5xx Unavailable retried, garbage Untrusted once", async () => {
    const rejected = fakeFetch(() => ({
      status: 422,
      body: '{"error":"bad_subject","message":"unknown \\u0000 id"}',
    }))
    const r1 = reasonOf(await run(rejected.fetch))
    expect(r1).toMatchObject({
      _tag: "Rejected",
      detail: expect.stringContaining("HTTP 422 (bad_subject: unknown"),
    })
    expect(rejected.seen.length).toBe(1)
    const down = fakeFetch(() => ({ status: 503, body: "<html>" }))
    expect(reasonOf(await run(down.fetch))).toMatchObject({ _tag: "Unavailable" })
    expect(down.seen.length).toBe(3)
    const garbage = fakeFetch(() => ({ status: 200, body: "not json" }))
    expect(reasonOf(await run(garbage.fetch))).toMatchObject({ _tag: "Untrusted" })
    expect(garbage.seen.length).toBe(1)
    const network = (async () => {
      throw new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:9") })
    }) as unknown as typeof fetch
    expect(reasonOf(await run(network, 0))).toMatchObject({
      _tag: "Unavailable",
      detail: expect.stringContaining("ECONNREFUSED"),
    })
  })

  it("refuses a validly signed answer that does not echo this request's nonce, or changes the result", async () => {
    const replayed = ((_url: string, init: RequestInit) =>
      signed(JSON.parse(String(init.body)) as WireRequest, { nonce: "0".repeat(32) }).then(
        (text) => new Response(text, { status: 200 }),
      )) as unknown as typeof fetch
    expect(reasonOf(await run(replayed))).toMatchObject({
      _tag: "Untrusted",
      detail: "signed answer is not for this request",
    })
    const flipped = ((_url: string, init: RequestInit) =>
      signed(JSON.parse(String(init.body)) as WireRequest, { result: "fail" }).then(
        (text) => new Response(text.replace('"result":"fail"', '"result":"pass"'), { status: 200 }),
      )) as unknown as typeof fetch
    expect(reasonOf(await run(flipped))).toMatchObject({ _tag: "Untrusted" })
  })

  it("refuses unusable options before any request", () => {
    expect(Result.isFailure(Http.validate({ url: "ftp://x", publicKey: keys.publicKey }))).toBe(true)
    expect(Result.isFailure(Http.validate({ url: "not a url", publicKey: keys.publicKey }))).toBe(true)
    expect(Result.isFailure(Http.validate({ url: "https://x", publicKey: "04abc" }))).toBe(true)
    expect(Result.isSuccess(Http.validate({ url: "https://x", publicKey: keys.publicKey }))).toBe(true)
  })
})
