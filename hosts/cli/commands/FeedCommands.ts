/**
 * `anju feed export|verify|import|report`: the regulator feed (M116–M134, M184, M185) from the command
 * line. `export` writes one signed batch (manifest.json + seven JSON Lines parts) from the business data or
 * a demo city; `verify` checks a batch folder (exit 0 valid, 1 naming the first failure); `import` stores a
 * batch in the tier's OWN feed database (M125: `--data-dir` defaults to `.anju-feed`, `--database-url` never
 * falls back to DATABASE_URL) and prints the receipt; `report` prints the theme metrics. Exit 2 on bad usage.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { join, resolve } from "node:path"
import { Cause, type Effect, Exit, Layer, ManagedRuntime, Option, Redacted, Result } from "effect"
import { Argument, Flag } from "effect/cli"
import {
  exportDetail,
  exportFromLedger,
  FeedRefused,
  feedReport,
  importBatch,
  type SignedBatch,
} from "../../../application/feed/FeedExchange.js"
import type { FeedStore } from "../../../application/ports/FeedStore.js"
import * as PgliteFeedStore from "../../../adapters/pglite/PgliteFeedStore.js"
import * as PgFeedStore from "../../../adapters/postgres/PgFeedStore.js"
import * as Sm2Signer from "../../../adapters/sm/Sm2Signer.js"
import {
  batchDigest,
  MANIFEST_FILE,
  parseManifest,
  partFile,
  type Sender,
  verifyBatch,
} from "../../../domain/feed/Batch.js"
import { type Category, categories, type Tier } from "../../../domain/feed/FeedRecord.js"
import { GENESIS_HASH } from "../../../domain/integrity/HashChain.js"
import { DEMO_CITY, DEMO_FEED_KEY, demoCityDetail } from "../../demo/DemoFeed.js"
import { ledgerLayer } from "../../FundStores.js"
import { choice, optionalText, storageFlags, storageOf, switchFlag, text, UsageError } from "../Args.js"
import { defineCommand } from "../CliCommand.js"
import type { Command } from "../Io.js"

/** The sender's SM2 private key (64 hex); `--demo` uses the public demo key instead. */
export const FEED_KEY_ENV = "ANJU_FEED_KEY"
/** PostgreSQL URL of the feed database (never DATABASE_URL: M125). */
export const FEED_DATABASE_URL_ENV = "ANJU_FEED_DATABASE_URL"
export const DEFAULT_FEED_DIR = ".anju-feed"

const DATE = /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/u
const PERIOD = /^[0-9]{4}-(0[1-9]|1[0-2])$/u
const REGION = /^[0-9]{6}$/u

const endOfMonth = (period: string): string => {
  const [y, m] = period.split("-").map(Number) as [number, number]
  return `${period}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, "0")}`
}

/** Reads a batch folder: the manifest and every part that exists (missing ones stay undefined). */
export const readBatchDir = async (dir: string) => {
  const maybe = async (path: string) => {
    try {
      return await readFile(path, "utf8")
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return undefined
      throw e
    }
  }
  const manifest = await maybe(join(dir, MANIFEST_FILE))
  if (manifest === undefined && (await maybe(join(dir, partFile("housing")))) === undefined)
    throw new UsageError(`${dir}: no ${MANIFEST_FILE} (not a feed batch folder)`)
  const parts: Partial<Record<Category, string>> = {}
  for (const c of categories) {
    const text = await maybe(join(dir, partFile(c)))
    if (text !== undefined) parts[c] = text
  }
  return { manifest, parts }
}

const writeBatchDir = async (dir: string, batch: SignedBatch) => {
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, MANIFEST_FILE), batch.manifestText)
  for (const c of categories) await writeFile(join(dir, partFile(c)), batch.parts[c])
}

const keysOf = (list: string | undefined) =>
  list === undefined
    ? []
    : list
        .split(",")
        .map((k) => k.trim().toLowerCase())
        .filter((k) => k !== "")

const signerLayer = (key: string) => {
  if (!/^[0-9a-fA-F]{64}$/u.test(key.trim()))
    throw new UsageError(`${FEED_KEY_ENV} must be 64 hexadecimal characters (an SM2 private key)`)
  return Sm2Signer.layer({ privateKey: Redacted.make(key.trim()) })
}

const feedStorageFlags = {
  dataDir: optionalText(
    "data-dir",
    "DIR",
    `the tier's feed data folder (PGlite; default ${DEFAULT_FEED_DIR})`,
  ),
  databaseUrl: optionalText(
    "database-url",
    "URL",
    `PostgreSQL URL of the tier's feed database (default: ${FEED_DATABASE_URL_ENV}; never the business database)`,
  ),
  dbSchema: optionalText("db-schema", "NAME", "PostgreSQL schema of the feed database (default anju_feed)"),
}

/** The FeedStore layer for the feed storage flags; refuses the business data folder (M125). */
export const feedStoreLayer = (
  input: {
    readonly dataDir: string | undefined
    readonly databaseUrl: string | undefined
    readonly dbSchema: string | undefined
  },
  env: Readonly<Record<string, string | undefined>>,
): Layer.Layer<FeedStore, Error> => {
  const url = input.databaseUrl ?? env[FEED_DATABASE_URL_ENV]
  if (url !== undefined) {
    if (input.dataDir !== undefined) throw new UsageError("give --database-url or --data-dir, not both")
    if ((input.dbSchema ?? "anju_feed") === (env["ANJU_DB_SCHEMA"] ?? "anju"))
      throw new UsageError("M125: the feed schema must not be the business schema")
    return PgFeedStore.layer({ url, ...(input.dbSchema === undefined ? {} : { schema: input.dbSchema }) })
  }
  const dir = input.dataDir ?? DEFAULT_FEED_DIR
  if (resolve(dir) === resolve(env["ANJU_DATA_DIR"] ?? ".anju-data"))
    throw new UsageError(`M125: ${dir} is the business data folder; the feed keeps its own database`)
  return PgliteFeedStore.layer({ dataDir: dir })
}

const withRuntime = async <A, R>(
  layer: Layer.Layer<R, unknown>,
  program: Effect.Effect<A, unknown, R>,
): Promise<Exit.Exit<A, unknown>> => {
  const runtime = ManagedRuntime.make(layer)
  try {
    return await runtime.runPromiseExit(program)
  } finally {
    await runtime.dispose()
  }
}

const failureOf = (exit: Exit.Exit<unknown, unknown>): unknown =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.findErrorOption(exit.cause)) : undefined

export const feedExport = defineCommand({
  words: ["feed", "export"],
  description:
    "write one signed feed batch (manifest + JSON Lines parts) from the business data or a demo city",
  examples: [
    { command: "anju feed export --demo --out batch", description: "the demo city's batch, no set-up" },
    {
      command: "anju feed export --tier city --as-of 2026-11-30 --province 370000 --city 370800 --out batch",
      description: "from the stored fund journal, signed with ANJU_FEED_KEY",
    },
  ],
  config: {
    out: text("out", "DIR", "the batch folder to write"),
    tier: choice(
      "tier",
      ["county", "city"],
      "the sending tier: a county sends detail, a city only figures (M184)",
    ).pipe(Flag.withDefault("city" as const)),
    asOf: optionalText("as-of", "YYYY-MM-DD", "the day the data stands at; its month is the period"),
    demo: switchFlag("demo", "a demo city with the public demo key, no storage"),
    households: optionalText("households", "N", "demo city size (default 240)"),
    previous: optionalText("previous", "DIR", "the sender's previous batch: this one continues its chain"),
    corrects: optionalText("corrects", "DIR", "a batch of the same period this one corrects (supersedes)"),
    sender: optionalText("sender", "ID", "the sender's id (default <tier>-<region>)"),
    province: optionalText("province", "CODE", "province code (GB/T 2260, 6 digits)"),
    city: optionalText("city", "CODE", "city code"),
    county: optionalText("county", "CODE", "county code (a county sender; the county of unplaced fund data)"),
    json: switchFlag("json", "print the batch summary and cleansing rejections as JSON"),
    storage: storageFlags,
  },
  run: async (input, io) => {
    const asOf = input.asOf ?? (input.demo ? "2026-11-30" : undefined)
    if (asOf === undefined || !DATE.test(asOf)) throw new UsageError("--as-of YYYY-MM-DD is required")
    const period = asOf.slice(0, 7)
    const province = input.province ?? (input.demo ? DEMO_CITY.province : undefined)
    const city = input.city ?? (input.demo ? DEMO_CITY.city : undefined)
    if (province === undefined || !REGION.test(province))
      throw new UsageError("--province CODE (6 digits) is required")
    if (city === undefined || !REGION.test(city)) throw new UsageError("--city CODE (6 digits) is required")
    const county = input.county ?? city
    if (!REGION.test(county)) throw new UsageError("--county must be 6 digits")
    const key = input.demo ? DEMO_FEED_KEY : io.env[FEED_KEY_ENV]
    if (key === undefined)
      throw new UsageError(`${FEED_KEY_ENV} is not set: the sender signs its batches (SM2)`)
    let seq = 1
    let previous = GENESIS_HASH
    if (input.previous !== undefined) {
      const prev = parseManifest((await readBatchDir(input.previous)).manifest ?? "")
      if (Result.isFailure(prev)) throw new UsageError(`--previous: ${prev.failure.detail}`)
      seq = prev.success.seq + 1
      previous = batchDigest(prev.success)
    }
    let corrects: string | undefined
    if (input.corrects !== undefined) {
      const c = parseManifest((await readBatchDir(input.corrects)).manifest ?? "")
      if (Result.isFailure(c)) throw new UsageError(`--corrects: ${c.failure.detail}`)
      if (c.success.period !== period)
        throw new UsageError(`--corrects: that batch is for ${c.success.period}, not ${period}`)
      corrects = batchDigest(c.success)
    }
    const tier: Tier = input.tier
    const sender: Sender = {
      id:
        input.sender ??
        (input.demo && tier === "city" ? DEMO_CITY.id : `${tier}-${tier === "county" ? county : city}`),
      name:
        input.demo && tier === "city"
          ? DEMO_CITY.name
          : (input.sender ?? `${tier} ${tier === "county" ? county : city}`),
      tier,
      province,
      city,
      ...(tier === "county" ? { county } : {}),
    }
    const header = { sender, period, asOf, seq, previous, ...(corrects === undefined ? {} : { corrects }) }
    const signer = signerLayer(key)
    const households = input.households === undefined ? 240 : Number(input.households)
    if (!Number.isSafeInteger(households) || households < 1)
      throw new UsageError("--households must be a positive integer")
    const exit = input.demo
      ? await withRuntime(signer, exportDetail(header, demoCityDetail({ period, households })))
      : await withRuntime(
          Layer.merge(signer, ledgerLayer(storageOf(input.storage, io.env))),
          exportFromLedger(header, county),
        )
    if (Exit.isFailure(exit)) {
      const e = failureOf(exit)
      if (e instanceof UsageError) throw e
      io.err(`anju feed export: ${e instanceof Error ? e.message : Cause.pretty(exit.cause)}`)
      return 1
    }
    const { batch, rejected } = exit.value
    await writeBatchDir(input.out, batch)
    const records = categories.reduce((n, c) => n + batch.manifest.parts[c].records, 0)
    if (input.json)
      io.out(
        JSON.stringify({ batch: batch.digest, sender: sender.id, period, seq, records, rejected }, null, 2),
      )
    else {
      io.out(
        `batch ${batch.digest} (${sender.id}, ${period}, seq ${seq}): ${records} records in ${input.out}`,
      )
      if (rejected.length > 0)
        io.err(`cleansing rejected ${rejected.length} records (not sent); --json lists them`)
    }
    return 0
  },
})

export const feedVerify = defineCommand({
  words: ["feed", "verify"],
  description:
    "check a batch folder: signature, part digests, canonical lines, counts and sums (exit 1 names the first failure)",
  examples: [{ command: "anju feed verify batch", description: "exit 0 when the batch is intact" }],
  config: {
    dir: Argument.String("dir").pipe(
      Argument.withMetavar("DIR"),
      Argument.withDescription("the batch folder"),
    ),
    publicKey: optionalText(
      "public-key",
      "HEX",
      "the sender's SM2 public key(s), comma-separated: only these are trusted",
    ),
  },
  run: async (input, io) => {
    const files = await readBatchDir(input.dir)
    const trustedKeys = keysOf(input.publicKey)
    const v = verifyBatch(files, { trustedKeys })
    if (Result.isFailure(v)) {
      io.out(`batch INVALID: ${v.failure.file}: ${v.failure.check}: ${v.failure.detail}`)
      return 1
    }
    const m = v.success.manifest
    const records = categories.reduce((n, c) => n + m.parts[c].records, 0)
    io.out(
      `batch verified: ${v.success.digest} (${m.sender.id}, ${m.sender.tier}, ${m.period}, seq ${m.seq}): ${records} records`,
    )
    if (trustedKeys.length === 0)
      io.err("note: no --public-key given; the signature was checked against the key in the manifest")
    return 0
  },
})

export const feedImport = defineCommand({
  words: ["feed", "import"],
  description: "verify, cleanse and store a batch in this tier's feed database; print the receipt as JSON",
  examples: [
    {
      command: "anju feed import batch --tier province --data-dir province-feed",
      description: "accepted, rejected (with reasons) and duplicate: true when imported before",
    },
  ],
  config: {
    dir: Argument.String("dir").pipe(
      Argument.withMetavar("DIR"),
      Argument.withDescription("the batch folder"),
    ),
    tier: choice("tier", ["city", "province", "national"], "the receiving tier"),
    publicKey: optionalText(
      "public-key",
      "HEX",
      "trusted sender key(s), comma-separated (default: pinned at first contact)",
    ),
    ...feedStorageFlags,
  },
  run: async (input, io) => {
    const files = await readBatchDir(input.dir)
    const layer = feedStoreLayer(input, io.env)
    const trustedKeys = keysOf(input.publicKey)
    const exit = await withRuntime(layer, importBatch(files, { tier: input.tier, trustedKeys }))
    if (Exit.isFailure(exit)) {
      const e = failureOf(exit)
      if (e instanceof FeedRefused) {
        io.out(JSON.stringify({ refused: { check: e.check, file: e.file, detail: e.detail } }, null, 2))
        return 1
      }
      if (typeof e === "object" && e !== null && "_tag" in e && e._tag === "FeedStoreError") {
        const reason = (e as unknown as { reason: { _tag: string; detail: string } }).reason
        io.out(
          JSON.stringify(
            { refused: { check: reason._tag, file: MANIFEST_FILE, detail: reason.detail } },
            null,
            2,
          ),
        )
        return 1
      }
      throw Cause.squash(exit.cause)
    }
    io.out(JSON.stringify(exit.value, null, 2))
    return exit.value.rejected.length > 0 && !exit.value.duplicate ? 1 : 0
  },
})

export const feedReportCommand = defineCommand({
  words: ["feed", "report"],
  description:
    "theme metrics of what this tier holds: deposit, use, value-added, efficiency; 代管/自管; 同比/环比",
  examples: [
    {
      command: "anju feed report --tier province --period 2026-11 --json --data-dir province-feed",
      description: "the province's metrics with a row per city",
    },
  ],
  config: {
    tier: choice("tier", ["city", "province", "national"], "the tier whose database is read"),
    period: text("period", "YYYY-MM", "the reporting month"),
    json: switchFlag("json", "print JSON"),
    ...feedStorageFlags,
  },
  run: async (input, io) => {
    if (!PERIOD.test(input.period)) throw new UsageError("--period must be YYYY-MM")
    const exit = await withRuntime(feedStoreLayer(input, io.env), feedReport(input.period, input.tier))
    if (Exit.isFailure(exit)) throw Cause.squash(exit.cause)
    const r = exit.value
    if (input.json) io.out(JSON.stringify(r, null, 2))
    else {
      const yuan = (fen: number) => (fen / 100).toFixed(2)
      const t = r.themes
      io.out(`feed report ${r.tier} ${r.period} (as of ${endOfMonth(r.period)})`)
      io.out(
        `deposit paid ${yuan(t.total.deposit.paid.value)} of due ${yuan(t.total.deposit.due.value)} (custody ${yuan(t.custody.deposit.paid.value)}, self-managed ${yuan(t.selfManaged.deposit.paid.value)})`,
      )
      io.out(
        `use ${yuan(t.total.use.amount.value)} in ${t.total.use.count.value} projects; value-added ${yuan(t.total.valueAdded.income.value)}`,
      )
      io.out(
        `efficiency: ${t.total.efficiency.volume.value} items, ${t.total.efficiency.steps.value} steps, ${t.total.efficiency.reviewDays.value} review days`,
      )
      for (const row of r.regions)
        io.out(`  ${row.region}: deposit paid ${yuan(row.themes.total.deposit.paid.value)}`)
    }
    return 0
  },
})

export const FEED_COMMANDS: ReadonlyArray<Command> = [feedExport, feedVerify, feedImport, feedReportCommand]
