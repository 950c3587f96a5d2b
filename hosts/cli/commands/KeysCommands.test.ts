/**
 * `anju keys rotate|rewrap|status` on PostgreSQL (a private schema; PGlite runs the same SQL) holding a case sealed today (envelope, income,
 * assets and bank card sealed) and a legacy row (members sealed by the v1 code from the fixture, income and
 * assets in clear): the rows hold no plain text after sealing/re-wrapping, every value opens to what it was,
 * look-up by ID number (blind index) works across rotations, `--retire` retires older versions only when
 * nothing is left under them. In memory: readers and writers keep working while the re-wrap runs.
 */
import { readFileSync } from "node:fs"
import { Effect, Fiber, Layer, ManagedRuntime, Option, Redacted } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { resealCases } from "../../../application/keys/ResealCases.js"
import { openCase, sealCase } from "../../../application/cases/CaseSealing.js"
import { CaseStore, type StoredCase } from "../../../application/ports/CaseStore.js"
import { FieldCipher, type SealedField } from "../../../application/ports/FieldCipher.js"
import { KeyManagement } from "../../../application/ports/KeyManagement.js"
import * as SoftwareKeyManagement from "../../../adapters/kms/SoftwareKeyManagement.js"
import * as MemoryCaseStore from "../../../adapters/memory/MemoryCaseStore.js"
import { dropSchema } from "../../../adapters/postgres/Migrations.js"
import * as PgDatabaseLayer from "../../../adapters/postgres/PgDatabase.js"
import { PgDatabase, privateSchemaName } from "../../../adapters/postgres/PgDatabase.js"
import * as Sm4FieldCipher from "../../../adapters/sm/Sm4FieldCipher.js"
import type { Case, CaseId } from "../../../domain/cases/Case.js"
import { planHost } from "../../HostConfig.js"
import { fieldCipherLayer, keyManagementLayer, storesLayer } from "../../StoreSelection.js"
import { keysRotate, keysStatus } from "./KeysCommands.js"

const FIXTURE = JSON.parse(
  readFileSync(new URL("../../../adapters/sm/Sm4FieldCipherV1.fixture.json", import.meta.url), "utf8"),
) as {
  readonly values: ReadonlyArray<{
    field: string
    plaintext: string
    sealed: SealedField
    blindIndex: string
  }>
}
const v1 = (field: string) => FIXTURE.values.find((v) => v.field === field && v.plaintext !== "")!

// The fixture was sealed with these v1 and index keys (adapters/sm/Sm4FieldCipher.test.ts).
const env = {
  ANJU_KMS_MASTER_KEY: "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a",
  ANJU_INDEX_KEY: "00112233445566778899aabbccddeeff",
  ANJU_FIELD_KEY: "0123456789abcdeffedcba9876543210",
}

const PLAIN = {
  idNumber: "110105194912310021",
  bankCard: "6217001234567890123",
  income: "48000.50",
  assets: "356789.00",
  phone: "13912345678",
}

const aCase = (id: string, at: number): Case => ({
  id: id as CaseId,
  kind: "lianzu",
  state: "draft",
  version: 1,
  channel: "offline",
  district: "310115",
  projectId: null,
  members: [
    {
      role: "applicant",
      name: "赵六",
      idNumber: PLAIN.idNumber,
      phone: PLAIN.phone,
      bankCard: PLAIN.bankCard,
    },
  ],
  materials: { required: [], received: [] },
  predecessorId: null,
  tags: [],
  resumeTo: null,
  evidence: [],
  firstNotice: null,
  onlineNotice: null,
  certificate: null,
  closure: null,
  economy: {
    householdSize: 2,
    annualDisposableIncome: PLAIN.income,
    property: PLAIN.assets,
    illnessPoverty: false,
  },
  receivedAt: at,
  updatedAt: at,
})

const legacyRow: StoredCase = {
  ...aCase("LEGACY-1", 1_700_000_000_000),
  members: [
    {
      role: "applicant",
      name: v1("name").sealed,
      idNumber: v1("idNumber").sealed,
      idIndex: v1("idNumber").blindIndex,
      phone: v1("phone").sealed,
      bankCard: v1("bankCard").sealed,
    },
  ],
  economy: {
    householdSize: 4,
    annualDisposableIncome: "30000.00",
    property: "120000.00",
    illnessPoverty: true,
  },
}

const commitChange = (c: StoredCase, expectedVersion: number, key: string) =>
  Effect.gen(function* () {
    const store = yield* CaseStore
    yield* store.commit({
      case: c,
      expectedVersion,
      history: {
        caseId: c.id,
        version: c.version,
        at: c.updatedAt,
        actorId: "test",
        actorRole: "system",
        command: "test",
        from: null,
        to: c.state,
        note: "",
      },
      events: [],
      command: {
        actorId: "test",
        key,
        requestDigest: key,
        caseId: c.id,
        outcome: { state: c.state, version: c.version },
      },
    })
  })

const io = () => {
  const out: Array<string> = []
  const err: Array<string> = []
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env }, out, err }
}

const url = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
const storage = { kind: "postgres", url, schema: privateSchemaName("anju_keys") } as const
const withDatabase = async <A>(f: (db: PgDatabase["Service"]) => Promise<A>): Promise<A> => {
  const rt = ManagedRuntime.make(PgDatabaseLayer.layer({ url, schema: storage.schema }))
  try {
    return await rt.runPromise(
      Effect.gen(function* () {
        const d = yield* PgDatabase
        return yield* Effect.promise(() => f(d))
      }),
    )
  } finally {
    await rt.dispose()
  }
}
afterAll(() => withDatabase((d) => dropSchema(d.db, storage.schema)))
const config = planHost({ storage, env }).config

const hostRuntime = () =>
  ManagedRuntime.make(
    fieldCipherLayer(config).pipe(
      Layer.provideMerge(keyManagementLayer(config)),
      Layer.provideMerge(storesLayer(storage)),
    ),
  )

/** The raw `cases.data` of every row, as the database holds it. */
const rawRows = (): Promise<ReadonlyArray<string>> =>
  withDatabase(async ({ db, schema }) => {
    const rows = await db.withSchema(schema).selectFrom("cases").select("data").orderBy("id").execute()
    return rows.map((r) => (typeof r.data === "string" ? r.data : JSON.stringify(r.data)))
  })

const everyPlainText = [
  ...Object.values(PLAIN),
  "赵六",
  "30000.00",
  "120000.00",
  ...FIXTURE.values.filter((v) => v.plaintext !== "").map((v) => v.plaintext),
]

describe("anju keys on PostgreSQL", () => {
  it("seals income, assets and bank cards; rotate re-wraps everything; look-ups and reads keep working", async () => {
    const host = hostRuntime()
    const idIndex = await host.runPromise(
      Effect.gen(function* () {
        const stored = yield* sealCase(aCase("NEW-1", 1_770_000_000_000))
        yield* commitChange(stored, 0, "k-new")
        yield* commitChange(legacyRow, 0, "k-legacy")
        const cipher = yield* FieldCipher
        return yield* cipher.blindIndex("idNumber", PLAIN.idNumber)
      }),
    )
    await host.dispose()

    // Before: the new row holds no plain text of its income, assets, bank card, ID number or phone; the
    // legacy row still has its income and assets in clear (written before they were sealed).
    const [legacyBefore, fresh] = await rawRows()
    for (const text of Object.values(PLAIN)) expect(fresh).not.toContain(text)
    expect(fresh).toContain("anju-field@1")
    expect(legacyBefore).toContain("30000.00")

    const status = io()
    expect(await keysStatus({ storage, demo: false, count: true, json: true }, status.io)).toBe(0)
    const before = JSON.parse(status.out.join("\n")) as { values: Record<string, number> }
    expect(before.values).toEqual({ "anju-field@1": 6, "sm4-1": 4, plain: 2 })

    const rotate = io()
    expect(await keysRotate({ storage, demo: false, retire: false }, rotate.io)).toBe(0)
    expect(rotate.out.join("\n")).toMatch(/anju-field@2 is current/u)
    expect(rotate.out.join("\n")).toMatch(/2 case\(s\) scanned, 2 re-sealed, 12 value\(s\) moved/u)

    const after = io()
    expect(await keysStatus({ storage, demo: false, count: true, json: true }, after.io)).toBe(0)
    const moved = JSON.parse(after.out.join("\n")) as {
      values: Record<string, number>
      versions: ReadonlyArray<{ version: number; state: string }>
    }
    expect(moved.values).toEqual({ "anju-field@2": 12 })
    expect(moved.versions.map((v) => [v.version, v.state])).toEqual([
      [1, "previous"],
      [2, "current"],
    ])

    // After: no row holds any plain text at all, the legacy one included.
    for (const row of await rawRows()) for (const text of everyPlainText) expect(row).not.toContain(text)

    // Rotating again with --retire: re-wrap to 3, a second pass finds nothing, versions 1 and 2 retire.
    const retire = io()
    expect(await keysRotate({ storage, demo: false, retire: true }, retire.io)).toBe(0)
    expect(retire.out.join("\n")).toMatch(/retired anju-field@1, anju-field@2/u)

    const reader = hostRuntime()
    try {
      const opened = await reader.runPromise(
        Effect.gen(function* () {
          const store = yield* CaseStore
          const found = yield* store.findByIdIndex(idIndex)
          const legacy = yield* store.findByIdIndex(v1("idNumber").blindIndex)
          const kms = yield* KeyManagement
          return {
            found: found.map((c) => c.id),
            legacy: legacy.map((c) => c.id),
            fresh: yield* openCase(Option.getOrThrow(yield* store.get("NEW-1" as CaseId))),
            old: yield* openCase(Option.getOrThrow(yield* store.get("LEGACY-1" as CaseId))),
            states: (yield* kms.versions()).map((v) => v.state),
          }
        }),
      )
      expect(opened.found).toEqual(["NEW-1"])
      expect(opened.legacy).toEqual(["LEGACY-1"])
      expect(opened.fresh.economy).toEqual(aCase("NEW-1", 0).economy)
      expect(opened.fresh.members[0]).toEqual(aCase("NEW-1", 0).members[0])
      expect(opened.old.economy).toEqual(legacyRow.economy)
      expect(opened.old.members[0]).toMatchObject({
        name: v1("name").plaintext,
        idNumber: v1("idNumber").plaintext,
        bankCard: v1("bankCard").plaintext,
      })
      expect(opened.states).toEqual(["retired", "retired", "current"])
    } finally {
      await reader.dispose()
    }
  }, 120_000)

  it("refuses without the key settings, naming them (exit 2)", async () => {
    const { out, err } = io()
    const code = await keysStatus(
      {
        storage: { kind: "pglite", dataDir: "/nonexistent/anju-never" },
        demo: false,
        count: false,
        json: false,
      },
      { out: (t) => out.push(t), err: (t) => err.push(t), env: {} },
    )
    expect(code).toBe(2)
    expect(err.join("\n")).toMatch(/ANJU_KMS_MASTER_KEY is not set[\s\S]*ANJU_INDEX_KEY is not set/u)
  })
})

describe("re-wrapping while hosts read and write (memory store, software KMS)", () => {
  it("every read succeeds during the re-wrap; cases written meanwhile are retried; a second pass moves nothing", async () => {
    const layer = Sm4FieldCipher.layer({ indexKey: Redacted.make(env.ANJU_INDEX_KEY) }).pipe(
      Layer.provideMerge(
        SoftwareKeyManagement.layerMemory({ masterKey: Redacted.make(env.ANJU_KMS_MASTER_KEY) }),
      ),
      Layer.provideMerge(MemoryCaseStore.layer),
    )
    const result = await Effect.runPromise(
      Effect.gen(function* () {
        const store = yield* CaseStore
        const kms = yield* KeyManagement
        for (let i = 0; i < 60; i++)
          yield* commitChange(yield* sealCase(aCase(`C-${String(i).padStart(3, "0")}`, i)), 0, `k-${i}`)
        yield* kms.rotate(Sm4FieldCipher.DEFAULT_KMS_KEY_ID)
        let reads = 0
        let stop = false
        const reader = yield* Effect.forkChild(
          Effect.gen(function* () {
            while (!stop) {
              const page = yield* store.list({ limit: 500 })
              for (const s of page.items) {
                const c = yield* openCase(s)
                if (c.members[0]?.bankCard !== PLAIN.bankCard || c.economy?.property !== PLAIN.assets)
                  return yield* Effect.die(new Error("a read changed"))
                reads += 1
              }
              yield* Effect.yieldNow
            }
          }),
        )
        // A writer that moves every 10th case on just before the re-wrap reaches it, keeping old values.
        let writes = 0
        const report = yield* resealCases({
          batch: 7,
          onProgress: () => {},
        }).pipe(
          Effect.provideService(CaseStore, {
            ...store,
            resealCase: (next, expected) =>
              Effect.gen(function* () {
                if (Number(next.id.slice(2)) % 10 === 0 && expected === 1) {
                  const cur = Option.getOrThrow(yield* store.get(next.id))
                  yield* commitChange({ ...cur, version: 2 }, 1, `w-${next.id}`).pipe(Effect.orDie)
                  writes += 1
                }
                yield* Effect.yieldNow // lets the reader in between swaps, as another request would
                return yield* store.resealCase(next, expected)
              }),
          }),
        )
        stop = true
        yield* Fiber.join(reader)
        const again = yield* resealCases()
        return { report, again, reads, writes }
      }).pipe(Effect.provide(layer)),
    )
    expect(result.writes).toBe(6)
    expect(result.report).toMatchObject({ casesScanned: 60, casesResealed: 60, retried: 6 })
    expect(result.report.valuesMoved).toBe(60 * 6)
    expect(result.again.valuesMoved).toBe(0)
    expect(result.reads).toBeGreaterThan(60)
  }, 60_000)
})
