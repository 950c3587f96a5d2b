/**
 * Every decryption of personal data is on the audit trail (issue 9, GB/T 39786): the production composition
 * (hostLayer on in-memory PGlite, SM4 demo keys behind AuditingFieldCipher) answers a case detail over HTTP
 * only after one `pii.open` record per opened field names the officer, the request, the purpose and the case;
 * a command records its own purpose; demo seeding is attributed to role `demo`; an out-of-scope request
 * decrypts nothing; and a use-case run without an audit context dies (UnattributedDecryption), leaving no
 * plaintext and no record.
 */
import { Cause, Effect, Exit, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { UnattributedDecryption } from "../../application/audit/AuditingFieldCipher.js"
import { caseDetail } from "../../application/cases/CaseQueries.js"
import { AuditLog } from "../../application/ports/AuditLog.js"
import { DEMO_CASE_ID, seedDemoCases } from "../demo/DemoCases.js"
import { hostLayer } from "../StoreSelection.js"
import { makeApp } from "./App.js"

const runtime = ManagedRuntime.make(hostLayer({ kind: "pglite", dataDir: null }, { demo: true }))
afterAll(() => runtime.dispose())

const app = makeApp({
  run: (effect) => runtime.runPromiseExit(effect),
  publicBaseUrl: "http://anju.test",
  ready: async () => true,
  cases: { run: (effect) => runtime.runPromiseExit(effect) },
})

const get = (path: string, token: string, requestId?: string) =>
  app.request(path, {
    headers: {
      authorization: `Bearer ${token}`,
      ...(requestId === undefined ? {} : { "x-request-id": requestId }),
    },
  })

/** The entries of the `pii.open` records of `object`, oldest first. */
const opens = (object: string) =>
  runtime.runPromise(
    Effect.gen(function* () {
      const page = yield* (yield* AuditLog).query({ action: "pii.open", object, limit: 1000 })
      return page.records.map((r) => r.entry)
    }),
  )

const fieldsOf = (records: ReadonlyArray<{ readonly detail: string | null }>) =>
  records.map((r) => /field=(\w+)/u.exec(r.detail ?? "")?.[1]).sort()

beforeAll(() => runtime.runPromise(seedDemoCases), 60_000)

describe("decryptions of personal data are audited (PGlite, SM4 behind AuditingFieldCipher)", () => {
  it("records the demo seeding's decryptions under role demo", async () => {
    const seeded = await opens(`case:${DEMO_CASE_ID}`)
    // submitDraft opened the one applicant's name, ID number and phone.
    expect(seeded.length).toBeGreaterThanOrEqual(3)
    for (const r of seeded)
      expect(r).toMatchObject({
        actorId: "demo-seed",
        actorRole: "demo",
        purpose: "case command submitDraft",
      })
  })

  it("a case detail over HTTP writes one pii.open per opened field: officer, request, purpose, case", async () => {
    const before = (await opens(`case:${DEMO_CASE_ID}`)).length
    const res = await get(`/api/v1/cases/${DEMO_CASE_ID}`, "demo-pudong-officer", "req-detail-1")
    expect(res.status).toBe(200)
    const body = JSON.stringify(await res.json())
    expect(body).not.toContain("310115198503120012")
    const added = (await opens(`case:${DEMO_CASE_ID}`)).slice(before)
    expect(fieldsOf(added)).toEqual(["idNumber", "name", "phone"])
    for (const r of added)
      expect(r).toMatchObject({
        actorId: "demo-pudong",
        actorRole: "district",
        action: "pii.open",
        object: `case:${DEMO_CASE_ID}`,
        purpose: "case detail",
        outcome: "success",
        requestId: "req-detail-1",
      })
    // The log holds the key id and the field, never the values.
    expect(JSON.stringify(added)).not.toMatch(/王五|310115198503120012|13800138000/u)
  })

  it("a request id the log cannot hold is dropped, not a failure", async () => {
    const before = (await opens(`case:${DEMO_CASE_ID}`)).length
    const res = await get(`/api/v1/cases/${DEMO_CASE_ID}`, "demo-city-officer", "two words")
    expect(res.status).toBe(200)
    const added = (await opens(`case:${DEMO_CASE_ID}`)).slice(before)
    expect(added.length).toBe(3)
    for (const r of added)
      expect(r).toMatchObject({ actorId: "demo-city", actorRole: "city", requestId: null })
  })

  it("an out-of-scope officer gets 404 and nothing is decrypted", async () => {
    const before = (await opens(`case:${DEMO_CASE_ID}`)).length
    expect((await get(`/api/v1/cases/${DEMO_CASE_ID}`, "demo-xuhui-officer")).status).toBe(404)
    expect((await opens(`case:${DEMO_CASE_ID}`)).length).toBe(before)
  })

  it("a command records the decryptions it needs under its own purpose", async () => {
    const before = (await opens(`case:${DEMO_CASE_ID}`)).length
    const res = await app.request(`/api/v1/cases/${DEMO_CASE_ID}/commands/accept`, {
      method: "POST",
      headers: {
        authorization: "Bearer demo-pudong-officer",
        "content-type": "application/json",
        "idempotency-key": "audit-accept-1",
        "x-request-id": "req-accept-1",
      },
      body: "{}",
    })
    expect(res.status).toBe(200)
    const added = (await opens(`case:${DEMO_CASE_ID}`)).slice(before)
    expect(fieldsOf(added)).toEqual(["idNumber", "name", "phone"])
    for (const r of added)
      expect(r).toMatchObject({
        actorId: "demo-pudong",
        purpose: "case command accept",
        requestId: "req-accept-1",
      })
  })

  it("a use-case run without an audit context dies before any plaintext leaves", async () => {
    const before = (await opens(`case:${DEMO_CASE_ID}`)).length
    const exit = await runtime.runPromiseExit(caseDetail({ role: "city", id: "nobody-said" }, DEMO_CASE_ID))
    expect(Exit.isFailure(exit)).toBe(true)
    const defect = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
    expect(defect).toBeInstanceOf(UnattributedDecryption)
    expect(defect).toMatchObject({ missing: "context" })
    expect((await opens(`case:${DEMO_CASE_ID}`)).length).toBe(before)
  })
})
