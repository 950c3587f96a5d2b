// `anju audit verify` on PGlite (a data directory) and PostgreSQL (a private schema): records appended and
// sealed through the use-cases verify (exit 0); a record changed behind the application's back — triggers
// off, as an attacker with database rights would — is found with its seq (exit 1); once restored it verifies
// again; a deleted record is reported missing, a deleted tail too; a checkpoint from another key is refused
// under the trusted key. `audit checkpoint` signs only when there is something new.
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import { sql } from "kysely"
import { afterAll, describe, expect, it } from "vitest"
import type { AuditLog } from "../../../application/ports/AuditLog.js"
import type { Signer } from "../../../application/ports/Signer.js"
import { checkpointAudit } from "../../../application/audit/CheckpointAudit.js"
import { recordWrite } from "../../../application/audit/RecordAudit.js"
import * as PgliteDatabase from "../../../adapters/pglite/PgliteDatabase.js"
import * as PgAuditLog from "../../../adapters/postgres/PgAuditLog.js"
import * as PgDatabase from "../../../adapters/postgres/PgDatabase.js"
import { dropSchema } from "../../../adapters/postgres/Migrations.js"
import * as Sm2Signer from "../../../adapters/sm/Sm2Signer.js"
import type { StorageChoice } from "../../StoreSelection.js"
import { AUDIT_PUBLIC_KEY_ENV, auditCheckpoint, auditVerify } from "./AuditCommands.js"

const URL = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
// Test keys only.
const KEY = "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8"
const OTHER_KEY = "128b2fa8bd433c6c068c8d803dff79792a519a55171b1b650c23661d15897263"

const capture = (env: Record<string, string | undefined> = {}) => {
  const out: string[] = []
  const err: string[] = []
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env }, out, err }
}

const databaseLayer = (s: StorageChoice) =>
  s.kind === "postgres"
    ? PgDatabase.layer({ url: s.url, schema: s.schema })
    : PgliteDatabase.layer(s.dataDir === null ? {} : { dataDir: s.dataDir })

/** Runs `f` against the store with the audit log, a signer and raw SQL, then closes it (PGlite has one owner). */
const withStore = async <A>(
  s: StorageChoice,
  f: (
    raw: (statement: string) => Promise<void>,
  ) => Effect.Effect<A, unknown, AuditLog | Signer | PgDatabase.PgDatabase>,
  key = KEY,
): Promise<A> => {
  const db = databaseLayer(s)
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(
      Layer.provide(PgAuditLog.layer, db),
      db,
      Sm2Signer.layer({ privateKey: Redacted.make(key) }),
    ),
  )
  try {
    const { db: k, schema } = await runtime.runPromise(Effect.service(PgDatabase.PgDatabase))
    // What an attacker with database rights does: switch the append-only triggers off for one transaction.
    const raw = (statement: string) =>
      k.transaction().execute(async (trx) => {
        await sql`set local session_replication_role = replica`.execute(trx)
        await sql.raw(statement.replaceAll("$SCHEMA", `"${schema}"`)).execute(trx)
      })
    return await runtime.runPromise(f(raw))
  } finally {
    await runtime.dispose()
  }
}

const append = (n: number, from = 1) =>
  Effect.forEach(
    Array.from({ length: n }, (_, i) => from + i),
    (i) =>
      recordWrite({
        actor: { id: "officer-7", role: "district" },
        action: "stock.registerUnits",
        object: `unit:U-${i}`,
        requestId: `req-${i}`,
      }),
  )

const runScenario = async (storage: StorageChoice, label: string) => {
  const verify = async (env: Record<string, string> = {}) => {
    const c = capture(env)
    const code = await auditVerify({ storage }, c.io)
    return { code, line: c.out.join("\n"), err: c.err.join("\n") }
  }
  const publicKey = Effect.runSync(Sm2Signer.make({ privateKey: Redacted.make(KEY) })).publicKey

  // Six records, sealed after the fourth and the sixth.
  await withStore(storage, () =>
    Effect.gen(function* () {
      yield* append(4)
      yield* checkpointAudit()
      yield* append(2, 5)
      yield* checkpointAudit()
    }),
  )
  const clean = await verify({ [AUDIT_PUBLIC_KEY_ENV]: publicKey })
  expect(clean, label).toMatchObject({ code: 0, err: "" })
  expect(clean.line).toMatch(
    /^audit log verified: 6 records, head 6 [0-9a-f]{64}, 2 checkpoints, signed through record 6$/u,
  )
  // Without a trusted key it still verifies, with a note on stderr.
  expect(await verify()).toMatchObject({ code: 0, err: expect.stringMatching(/ANJU_AUDIT_PUBLIC_KEY/u) })

  // Checkpoints made with the real key are refused when another key is the trusted one.
  const other = Effect.runSync(Sm2Signer.make({ privateKey: Redacted.make(OTHER_KEY) })).publicKey
  const foreign = await verify({ [AUDIT_PUBLIC_KEY_ENV]: other })
  expect(foreign.code).toBe(1)
  expect(foreign.line).toMatch(
    /^audit log BROKEN at record 4 \(checkpoint-key\): checkpoint 4 is signed with another key/u,
  )
  // Listing the current key beside a retired one accepts checkpoints made with either.
  expect((await verify({ [AUDIT_PUBLIC_KEY_ENV]: `${other}, ${publicKey}` })).code).toBe(0)
  expect(await verify({ [AUDIT_PUBLIC_KEY_ENV]: "04abc" })).toMatchObject({ code: 2 })

  // One record changed behind the application's back.
  await withStore(storage, (raw) =>
    Effect.promise(() => raw(`update $SCHEMA.audit_records set object = 'unit:U-999' where seq = 3`)),
  )
  const changed = await verify({ [AUDIT_PUBLIC_KEY_ENV]: publicKey })
  expect(changed.code).toBe(1)
  expect(changed.line).toBe(
    "audit log BROKEN at record 3 (changed): record 3 was changed: its content no longer hashes to its stored hash",
  )

  // Restored, it verifies again; then a record in the middle is deleted.
  await withStore(storage, (raw) =>
    Effect.promise(async () => {
      await raw(`update $SCHEMA.audit_records set object = 'unit:U-3' where seq = 3`)
    }),
  )
  expect((await verify({ [AUDIT_PUBLIC_KEY_ENV]: publicKey })).code).toBe(0)
  await withStore(storage, (raw) =>
    Effect.promise(() => raw(`delete from $SCHEMA.audit_records where seq = 2`)),
  )
  const missing = await verify({ [AUDIT_PUBLIC_KEY_ENV]: publicKey })
  expect(missing.code).toBe(1)
  expect(missing.line).toMatch(/^audit log BROKEN at record 2 \(missing\): record 2 is missing/u)

  // The tail cut too (head left alone): still reported, from the first missing record.
  await withStore(storage, (raw) =>
    Effect.promise(() => raw(`delete from $SCHEMA.audit_records where seq = 6`)),
  )
  const cut = await verify({ [AUDIT_PUBLIC_KEY_ENV]: publicKey })
  expect(cut.code).toBe(1)
  expect(cut.line).toMatch(/BROKEN at record 2 \(missing\).*more findings/u)
}

describe("anju audit verify", () => {
  const cleanups: Array<() => Promise<void>> = []
  afterAll(async () => {
    for (const c of cleanups) await c()
  })

  it("PostgreSQL: a changed row and a missing row are detected", async () => {
    const schema = PgDatabase.privateSchemaName("anju_audit_cli")
    cleanups.push(async () => {
      const k = PgDatabase.makeKysely({ url: URL, pool: { max: 1 } })
      await dropSchema(k, schema)
      await k.destroy()
    })
    await runScenario({ kind: "postgres", url: URL, schema }, "postgres")
  }, 120_000)

  it("PGlite: a changed row and a missing row are detected", async () => {
    const dir = await mkdtemp(join(tmpdir(), "anju-audit-"))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    await runScenario({ kind: "pglite", dataDir: dir }, "pglite")
  }, 180_000)

  it("audit checkpoint signs the head once, and says so when there is nothing new", async () => {
    const schema = PgDatabase.privateSchemaName("anju_audit_cli")
    cleanups.push(async () => {
      const k = PgDatabase.makeKysely({ url: URL, pool: { max: 1 } })
      await dropSchema(k, schema)
      await k.destroy()
    })
    const storage: StorageChoice = { kind: "postgres", url: URL, schema }
    const run = async (env: Record<string, string>) => {
      const c = capture(env)
      return { code: await auditCheckpoint({ storage }, c.io), out: c.out.join("\n"), err: c.err.join("\n") }
    }
    expect(await run({})).toMatchObject({ code: 2, err: expect.stringMatching(/ANJU_SM2_PRIVATE_KEY/u) })
    expect(await run({ ANJU_SM2_PRIVATE_KEY: KEY })).toMatchObject({
      code: 0,
      out: expect.stringMatching(/nothing to sign/u),
    })
    await withStore(storage, () => append(3))
    expect(await run({ ANJU_SM2_PRIVATE_KEY: KEY })).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^audit checkpoint signed: records 1–3, hash [0-9a-f]{64}$/u),
    })
    expect((await run({ ANJU_SM2_PRIVATE_KEY: KEY })).out).toMatch(/nothing to sign/u)
    const c = capture()
    expect(await auditVerify({ storage, json: true }, c.io)).toBe(0)
    expect(JSON.parse(c.out.join("\n"))).toMatchObject({ ok: true, records: 3, checkpoints: 1, findings: [] })
  }, 120_000)
})
