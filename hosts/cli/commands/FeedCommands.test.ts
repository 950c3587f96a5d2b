// `anju feed export|verify|import|report` (M116–M134, M184, M185): the demo batch verifies (exit 0) and a
// flipped byte in any file fails (exit 1, naming it); importing it into a province's own PGlite folder
// accepts it, a second import is a duplicate that changes nothing, and the province report's deposit
// totals equal the exported city's; a tampered batch, a foreign key, a county batch at the province and
// a broken chain are refused; a correction supersedes; the city tier takes a county's detail batch; a batch
// from the fund journal stored in the business database (PostgreSQL) carries its deposits and balances.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, ManagedRuntime, Result } from "effect"
import pg from "pg"
import { afterAll, describe, expect, it } from "vitest"
import { Ledger } from "../../../application/ports/Ledger.js"
import { privateSchemaName } from "../../../adapters/postgres/PgDatabase.js"
import { categories } from "../../../domain/feed/FeedRecord.js"
import type { CivilDate } from "../../../domain/values/CivilDate.js"
import type { HouseholdId } from "../../../domain/fund/HouseholdId.js"
import { deposit } from "../../../domain/fund/PostingRules.js"
import type { Money } from "../../../domain/values/Money.js"
import { ledgerLayer } from "../../FundStores.js"
import type { CliIo } from "../Io.js"
import { noProgress } from "../Io.js"
import { feedExport, feedImport, feedReportCommand, feedVerify } from "./FeedCommands.js"

const URL = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
// Test key only.
const OTHER_KEY = "128b2fa8bd433c6c068c8d803dff79792a519a55171b1b650c23661d15897263"

const capture = (env: Record<string, string | undefined> = {}) => {
  const out: string[] = []
  const err: string[] = []
  const io: CliIo = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    readFile: async (p) => new Uint8Array(await readFile(p)),
    writeFile: (p, d) => writeFile(p, d),
    env,
    progress: () => noProgress,
  }
  return { io, out, err, text: () => out.join("\n") }
}

const run = async (
  command: typeof feedExport,
  argv: ReadonlyArray<string>,
  env: Record<string, string> = {},
) => {
  const c = capture(env)
  const code = await command.run(argv, c.io)
  return { code, out: c.text(), err: c.err.join("\n") }
}

const root = await mkdtemp(join(tmpdir(), "anju-feed-"))
const schemas: string[] = []
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
  const client = new pg.Client({ connectionString: URL })
  await client.connect()
  for (const s of schemas) await client.query(`drop schema if exists "${s}" cascade`)
  await client.end()
})

const pgFeed = () => {
  const schema = privateSchemaName("anju_feed_cli")
  schemas.push(schema)
  return ["--database-url", URL, "--db-schema", schema]
}

const copyBatch = async (from: string, to: string) => {
  await rm(to, { recursive: true, force: true })
  await import("node:fs/promises").then((fs) => fs.cp(from, to, { recursive: true }))
}

describe("anju feed", () => {
  const batch = join(root, "b")
  const provinceDir = join(root, "province")

  it("exports the demo city, verifies, imports once, reports its deposits", {
    timeout: 240_000,
  }, async () => {
    const exported = await run(feedExport, ["--demo", "--out", batch, "--json"])
    expect(exported.code).toBe(0)
    const summary = JSON.parse(exported.out) as { batch: string; records: number; rejected: unknown[] }
    expect(summary.rejected).toEqual([])
    const verified = await run(feedVerify, [batch])
    expect(verified.code).toBe(0)
    expect(verified.out).toContain(`batch verified: ${summary.batch}`)

    const first = await run(feedImport, [batch, "--tier", "province", "--data-dir", provinceDir])
    expect(first.code).toBe(0)
    const receipt = JSON.parse(first.out) as { accepted: number; rejected: unknown[]; duplicate: boolean }
    expect(receipt).toMatchObject({ accepted: summary.records, rejected: [], duplicate: false })
    const second = await run(feedImport, [batch, "--tier", "province", "--data-dir", provinceDir])
    expect(JSON.parse(second.out)).toEqual({ ...receipt, duplicate: true })

    const report = await run(feedReportCommand, [
      "--tier",
      "province",
      "--period",
      "2026-11",
      "--json",
      "--data-dir",
      provinceDir,
    ])
    expect(report.code).toBe(0)
    const r = JSON.parse(report.out) as {
      themes: { total: { deposit: { paid: { value: number } } } }
      regions: Array<{ region: string }>
    }
    const exportedPaid = (await readFile(join(batch, "statistics.jsonl"), "utf8"))
      .split("\n")
      .filter((l) => l !== "")
      .reduce((s, l) => s + (JSON.parse(l) as { depositPaid: number }).depositPaid, 0)
    expect(exportedPaid).toBeGreaterThan(0)
    expect(r.themes.total.deposit.paid.value).toBe(exportedPaid)
    expect(r.regions.map((x) => x.region)).toEqual(["370800"])
  })

  it("fails verification on one flipped byte of any file, naming it", async () => {
    for (const file of ["manifest.json", ...categories.map((c) => `${c}.jsonl`)]) {
      const copy = join(root, `flip-${file}`)
      await copyBatch(batch, copy)
      const bytes = await readFile(join(copy, file))
      if (bytes.length === 0) continue
      const at = Math.floor(bytes.length / 2)
      bytes[at] = bytes[at]! ^ 0x01
      await writeFile(join(copy, file), bytes)
      const v = await run(feedVerify, [copy])
      expect(v.code, file).toBe(1)
      expect(v.out, file).toContain(file === "manifest.json" ? "manifest.json" : file)
    }
  })

  it("refuses tampered, foreign, misrouted and unchained batches; a correction supersedes", {
    timeout: 120_000,
  }, async () => {
    const feed = pgFeed()
    const tampered = join(root, "tampered")
    await copyBatch(batch, tampered)
    const stats = await readFile(join(tampered, "statistics.jsonl"), "utf8")
    await writeFile(
      join(tampered, "statistics.jsonl"),
      stats.replace(/"depositPaid":(\d)/u, '"depositPaid":9$1'),
    )
    const refused = await run(feedImport, [tampered, "--tier", "province", ...feed])
    expect(refused.code).toBe(1)
    expect(JSON.parse(refused.out)).toMatchObject({
      refused: { check: "part-digest", file: "statistics.jsonl" },
    })

    const signedByOther = join(root, "other")
    expect(
      (
        await run(
          feedExport,
          [
            "--tier",
            "city",
            "--as-of",
            "2026-11-30",
            "--province",
            "370000",
            "--city",
            "370800",
            "--sender",
            "city-370800",
            "--out",
            signedByOther,
            "--memory",
          ],
          { ANJU_FEED_KEY: OTHER_KEY },
        )
      ).code,
    ).toBe(0)
    const verifyOther = await run(feedVerify, [
      signedByOther,
      "--public-key",
      JSON.parse(await readFile(join(batch, "manifest.json"), "utf8")).signature.publicKey,
    ])
    expect(verifyOther).toMatchObject({ code: 1 })
    expect(verifyOther.out).toContain("public-key")

    const county = join(root, "county")
    expect(
      (await run(feedExport, ["--demo", "--tier", "county", "--county", "370811", "--out", county])).code,
    ).toBe(0)
    const misrouted = await run(feedImport, [county, "--tier", "province", ...feed])
    expect(JSON.parse(misrouted.out)).toMatchObject({ refused: { check: "M184.tier" } })

    expect(JSON.parse((await run(feedImport, [batch, "--tier", "province", ...feed])).out).duplicate).toBe(
      false,
    )
    // Same sender, a key it never used: refused (the key is pinned at first contact).
    const foreign = await run(feedImport, [signedByOther, "--tier", "province", ...feed])
    expect(JSON.parse(foreign.out)).toMatchObject({ refused: { check: "public-key" } })
    // seq 2 after seq 1 with a correction of the same period: it supersedes.
    const correction = join(root, "correction")
    expect(
      (
        await run(feedExport, [
          "--demo",
          "--households",
          "120",
          "--previous",
          batch,
          "--corrects",
          batch,
          "--out",
          correction,
        ])
      ).code,
    ).toBe(0)
    const corrected = JSON.parse((await run(feedImport, [correction, "--tier", "province", ...feed])).out)
    const firstDigest = (await run(feedVerify, [batch])).out.match(/verified: ([0-9a-f]{64})/u)?.[1]
    expect(corrected).toMatchObject({ seq: 2, duplicate: false, supersedes: [firstDigest] })
    const report = JSON.parse(
      (await run(feedReportCommand, ["--tier", "province", "--period", "2026-11", "--json", ...feed])).out,
    )
    expect(report.themes.total.stock.households.value).toBe(120)
    // A batch that skips seq 3 is refused.
    const skipped = join(root, "skipped")
    expect(
      (await run(feedExport, ["--demo", "--previous", join(root, "correction"), "--out", skipped])).code,
    ).toBe(0)
    const third = join(root, "third")
    expect((await run(feedExport, ["--demo", "--previous", skipped, "--out", third])).code).toBe(0)
    expect(JSON.parse((await run(feedImport, [third, "--tier", "province", ...feed])).out)).toMatchObject({
      refused: { check: "ChainBroken" },
    })
  })

  it("the city tier takes a county's detail batch and keeps its figures", { timeout: 120_000 }, async () => {
    const feed = pgFeed()
    const county = join(root, "county")
    const receipt = JSON.parse((await run(feedImport, [county, "--tier", "city", ...feed])).out)
    expect(receipt).toMatchObject({ rejected: [], duplicate: false })
    expect(receipt.accepted).toBeGreaterThan(240 * 2)
    const report = JSON.parse(
      (await run(feedReportCommand, ["--tier", "city", "--period", "2026-11", "--json", ...feed])).out,
    )
    expect(report.themes.total.stock.households.value).toBe(240)
    expect(report.regions.map((r: { region: string }) => r.region)).toEqual(["370811", "370812"])
  })

  it("exports the fund journal stored in the business database", { timeout: 120_000 }, async () => {
    const schema = privateSchemaName("anju_feed_biz")
    schemas.push(schema)
    const runtime = ManagedRuntime.make(ledgerLayer({ kind: "postgres", url: URL, schema }))
    const date = "2026-11-05" as CivilDate
    const H = (s: string) => s as HouseholdId
    const entries = [
      deposit({
        id: "D1",
        book: "commodity",
        date,
        kind: "first",
        households: [
          { household: H("H1"), amount: 50_000 as Money },
          { household: H("H2"), amount: 30_000 as Money },
        ],
      }),
    ].map((r) => (Result.isSuccess(r) ? r.success : expect.unreachable(String(r.failure))))
    await runtime.runPromise(Effect.flatMap(Effect.service(Ledger), (l) => l.post(entries)))
    await runtime.dispose()
    const out = join(root, "business")
    const exported = await run(
      feedExport,
      [
        "--tier",
        "city",
        "--as-of",
        "2026-11-30",
        "--province",
        "370000",
        "--city",
        "370800",
        "--out",
        out,
        "--database-url",
        URL,
        "--db-schema",
        schema,
        "--json",
      ],
      { ANJU_FEED_KEY: OTHER_KEY },
    )
    expect(exported.code, exported.err).toBe(0)
    expect(JSON.parse(exported.out).rejected).toEqual([])
    const figures = (await readFile(join(out, "statistics.jsonl"), "utf8"))
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l))
    expect(figures).toEqual([
      expect.objectContaining({
        county: "370800",
        stage: "custody",
        depositPaid: 80_000,
        balance: 80_000,
        households: 2,
      }),
    ])
    expect((await run(feedVerify, [out])).code).toBe(0)
  })
})
