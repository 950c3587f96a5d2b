/**
 * `anju selection …` (R54): a standalone house-selection session kept in one JSON state file, rewritten
 * atomically (temp file + rename) after each operation: init, check-in, preselect, choose, skip, release,
 * status (the progress table), export (SM4-GCM + SM2, adapters/sm/SelectionSeal.ts) and import (verify,
 * decrypt, write the result into the round's server selection records and let the chosen units, all or
 * nothing and idempotently; print the derived inventory counts). Exit 0 ok, 1 refused or unverifiable, 2 usage.
 */
import { rename, stat, writeFile } from "node:fs/promises"
import { Exit, Layer, ManagedRuntime, Result } from "effect"
import type { Command as EffectCommand } from "effect/cli"
import * as SelectionSeal from "../../../adapters/sm/SelectionSeal.js"
import { importSelectionResult } from "../../../application/selection/ImportSelectionResult.js"
import { LOCAL_AUTHORITY } from "../../../application/stock/StockAccess.js"
import * as Inventory from "../../../domain/inventory/Inventory.js"
import { cell, readHeader } from "../../../domain/queue/ApplicantCsv.js"
import { encodeResult, resultOf } from "../../../domain/selection/SelectionResult.js"
import * as S from "../../../domain/selection/SelectionSession.js"
import { parseCsv, toCsvLine } from "../../../domain/stock/Tabular.js"
import { describeStorage, storesLayer } from "../../StoreSelection.js"
import { optionalText, storageFlags, storageOf, switchFlag, text as textFlag, UsageError } from "../Args.js"
import { defineCommand } from "../CliCommand.js"
import type { CliIo, Command } from "../Io.js"

const text = async (io: CliIo, path: string) => new TextDecoder("utf-8").decode(await io.readFile(path))

/** The instant of an operation: `--at` (ISO 8601 with offset) for reproducible runs, else the clock. */
const instant = (at: string | undefined): number => {
  if (at === undefined) return Date.now()
  const ms = Date.parse(at)
  if (Number.isNaN(ms)) throw new UsageError(`--at: not an ISO 8601 instant: ${at}`)
  return ms
}

/** Writes next to the target and renames over it, so a crash never leaves a half-written session. */
export const writeAtomically = async (path: string, data: string | Uint8Array): Promise<void> => {
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, data)
  await rename(tmp, path)
}

const loadState = async (io: CliIo, path: string): Promise<S.SessionState | string> => {
  let value: unknown
  try {
    value = JSON.parse(await text(io, path))
  } catch (e) {
    return `${path}: ${(e as Error).message}`
  }
  const r = S.decodeSession(value)
  return Result.isSuccess(r) ? r.success : `${path}: not a selection session: ${r.failure.message}`
}

const csvTable = (body: string, file: string) => {
  const rows = parseCsv(body)
  if (Result.isFailure(rows)) return `${file}: ${rows.failure.message}`
  const [first, ...rest] = rows.success
  if (first === undefined) return `${file}: empty`
  const h = readHeader(first, [])
  if (Result.isFailure(h)) return `${file}: ${h.failure.message}`
  return { h: h.success, rows: rest }
}

/**
 * Families in lottery order: lottery result.csv (`stratum,rank,number,id,outcome`) or queue rank output
 * (`pool,position,id`), plus optional `barcode` (default: the id) and `name`.
 */
export const readFamilies = (body: string, file: string): ReadonlyArray<S.Family> | string => {
  const t = csvTable(body, file)
  if (typeof t === "string") return t
  const out: Array<S.Family> = []
  for (const row of t.rows) {
    const get = (c: string) => cell(t.h, row, c)
    const id = get("id")
    const rank = Number(get("rank") || get("position"))
    if (id === "" || !Number.isInteger(rank) || rank < 1)
      return `${file}: row ${row.row}: needs id and rank (or position)`
    const name = get("name")
    out.push({
      id,
      rank,
      barcode: get("barcode") || id,
      stratum: get("stratum") || get("pool"),
      ...(name === "" ? {} : { name }),
    })
  }
  return out
}

/** Units: `id` (or `unit`), `stratum` (or `pool`), optional `label`. */
export const readUnits = (body: string, file: string): ReadonlyArray<S.SelectionUnit> | string => {
  const t = csvTable(body, file)
  if (typeof t === "string") return t
  const out: Array<S.SelectionUnit> = []
  for (const row of t.rows) {
    const get = (c: string) => cell(t.h, row, c)
    const id = get("id") || get("unit")
    if (id === "") return `${file}: row ${row.row}: needs id`
    const label = get("label")
    out.push({ id, stratum: get("stratum") || get("pool"), ...(label === "" ? {} : { label }) })
  }
  return out
}

const stateFlag = textFlag("state", "session.json", "the session's state file (rewritten atomically)")
const atFlag = optionalText(
  "at",
  "ISO-instant",
  "the instant of the operation, for reproducible runs (default: now)",
)
const familyFlag = textFlag("family", "ID", "the family's id")
const unitFlag = textFlag("unit", "UNIT", "the unit's id")

/** A session operation: loads the state, applies `op` at `--at`, writes the state back, prints `done`. */
const operation = <const Flags extends EffectCommand.Command.Config>(
  word: string,
  description: string,
  example: string,
  flags: Flags,
  op: (
    s: S.SessionState,
    input: EffectCommand.Command.Config.Infer<Flags>,
    at: number,
  ) => Result.Result<S.SessionState, S.SelectionRefused>,
  done: (s: S.SessionState, input: EffectCommand.Command.Config.Infer<Flags>) => string,
): Command =>
  defineCommand({
    words: ["selection", word],
    description,
    examples: [{ command: `anju selection ${word} --state s.json ${example}` }],
    config: { state: stateFlag, at: atFlag, flags },
    run: async (input, io) => {
      const path = input.state
      const s = await loadState(io, path)
      if (typeof s === "string") {
        io.err(s)
        return 1
      }
      // The nested config's inferred type is not simplified by TypeScript inside the generic.
      const flagged = input.flags as EffectCommand.Command.Config.Infer<Flags>
      const r = op(s, flagged, instant(input.at))
      if (Result.isFailure(r)) {
        io.err(`refused: ${r.failure.message} [${r.failure.reason}]`)
        return 1
      }
      await writeAtomically(path, `${JSON.stringify(r.success, null, 1)}\n`)
      io.out(done(r.success, flagged))
      return 0
    },
  })

const turnLine = (s: S.SessionState) =>
  S.progress(s)
    .turns.map((t) => `${t.stratum || "(all)"}: next ${t.family ?? "(done)"}`)
    .join("; ")

export const selectionInit = defineCommand({
  words: ["selection", "init"],
  description: "start a session from the ranked families and the units on offer",
  examples: [
    {
      command:
        "anju selection init --families selection-families.csv --units selection-units.csv --state s.json --title 第1批",
      description: "families in lottery or queue order",
    },
  ],
  config: {
    families: textFlag("families", "ranked.csv", "lottery result.csv or queue rank output (+ barcode, name)"),
    units: textFlag("units", "units.csv", "id,stratum[,label]"),
    state: stateFlag,
    title: optionalText("title", "T", "the session's title (default 选房)"),
    force: switchFlag("force", "overwrite an existing state file"),
    at: atFlag,
  },
  run: async (input, io) => {
    const path = input.state
    const exists = await stat(path).then(
      () => true,
      () => false,
    )
    if (exists && !input.force) {
      io.err(`${path} exists: a session is not overwritten without --force`)
      return 1
    }
    const ff = input.families
    const uf = input.units
    const families = readFamilies(await text(io, ff), ff)
    const units = readUnits(await text(io, uf), uf)
    for (const x of [families, units])
      if (typeof x === "string") {
        io.err(x)
        return 1
      }
    const r = S.makeSession(
      input.title ?? "选房",
      families as ReadonlyArray<S.Family>,
      units as ReadonlyArray<S.SelectionUnit>,
      instant(input.at),
    )
    if (Result.isFailure(r)) {
      io.err(`refused: ${r.failure.message} [${r.failure.reason}]`)
      return 1
    }
    await writeAtomically(path, `${JSON.stringify(r.success, null, 1)}\n`)
    io.out(
      `session ${path}: ${r.success.families.length} families, ${r.success.units.length} units; ${turnLine(r.success)}`,
    )
    return 0
  },
})

export const selectionCheckIn = operation(
  "check-in",
  "check a family in by the barcode on its notice (签到)",
  "--barcode 6901234500071",
  { barcode: textFlag("barcode", "CODE", "the barcode on the family's notice") },
  (s, a, at) => S.checkIn(s, a.barcode, at),
  (s, a) => {
    const f = s.families.find((x) => x.barcode === a.barcode)!
    return `checked in: ${f.id}${f.name === undefined ? "" : ` ${f.name}`} (${f.stratum} #${f.rank})`
  },
)
export const selectionPreselect = operation(
  "preselect",
  "note a family's wish for a unit (not binding)",
  "--family GY-2025-0007 --unit 1-101",
  { family: familyFlag, unit: unitFlag },
  (s, a, at) => S.preselect(s, a.family, a.unit, at),
  (_, a) => `preselected (not binding): ${a.family} → ${a.unit}`,
)
export const selectionChoose = operation(
  "choose",
  "record the family whose turn it is choosing a unit (选定)",
  "--family GY-2025-0007 --unit 1-101",
  { family: familyFlag, unit: unitFlag },
  (s, a, at) => S.choose(s, a.family, a.unit, at),
  (s, a) => `selected: ${a.family} → ${a.unit}; ${turnLine(s)}`,
)
export const selectionSkip = operation(
  "skip",
  "pass over a family (default reason 未到场)",
  "--family GY-2025-0011 --reason 未到场",
  { family: familyFlag, reason: optionalText("reason", "TEXT", "why (default 未到场)") },
  (s, a, at) => S.skip(s, a.family, a.reason ?? "未到场", at),
  (s, a) => `skipped: ${a.family}; ${turnLine(s)}`,
)
export const selectionRelease = operation(
  "release",
  "release a family's choice (解除选房), freeing the unit",
  "--family GY-2025-0007",
  { family: familyFlag, reason: optionalText("reason", "TEXT", "why (default 现场解除)") },
  (s, a, at) => S.release(s, a.family, a.reason ?? "现场解除", at),
  (_, a) => `released (解除选房): ${a.family}`,
)

/** The progress view: one row per family in order, then the counts and whose turn it is. */
export const formatProgress = (s: S.SessionState): string => {
  const p = S.progress(s)
  const rows = s.families.map((f) => {
    const st = S.statusOf(s, f.id)
    const unit = s.chosen[f.id]?.unit ?? s.released[f.id]?.unit ?? s.preselected[f.id]?.unit ?? ""
    return [f.stratum, String(f.rank), f.id, s.checkedIn[f.id] ? "yes" : "no", st, unit]
  })
  const head = ["stratum", "rank", "family", "checked_in", "status", "unit"]
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (r: ReadonlyArray<string>) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd()
  return [
    s.title,
    line(head),
    ...rows.map(line),
    `families ${p.families}: checked in ${p.checkedIn}, selected ${p.chosen}, skipped ${p.skipped}, released ${p.released}, waiting ${p.pending}; units free ${p.unitsFree}/${p.units}`,
    turnLine(s),
  ].join("\n")
}

export const selectionStatus = defineCommand({
  words: ["selection", "status"],
  description: "the progress table (选房进度); --watch redraws it live",
  examples: [
    { command: "anju selection status --state s.json", description: "one row per family, then the counts" },
    { command: "anju selection status --state s.json --watch 2", description: "the big-screen view" },
  ],
  config: {
    state: stateFlag,
    watch: optionalText("watch", "SECONDS", "clear and redraw every SECONDS until no family waits"),
  },
  run: async (input, io) => {
    const path = input.state
    const watch = input.watch
    const every = watch === undefined ? 0 : Number(watch)
    if (watch !== undefined && !(every > 0))
      throw new UsageError("--watch needs a positive number of seconds")
    for (;;) {
      const s = await loadState(io, path)
      if (typeof s === "string") {
        io.err(s)
        return 1
      }
      // The big-screen view: clear and redraw until every family has been dealt with.
      io.out(watch === undefined ? formatProgress(s) : `\x1b[2J\x1b[H${formatProgress(s)}`)
      if (watch === undefined || S.progress(s).pending === 0) return 0
      await new Promise((resolve) => setTimeout(resolve, every * 1000))
    }
  },
})

const key = (value: string | undefined, io: CliIo, flag: string, env: string) => {
  const v = value ?? io.env[env]
  if (v === undefined) throw new UsageError(`--${flag} (or ${env}) is required`)
  return v
}

export const selectionExport = defineCommand({
  words: ["selection", "export"],
  description: "seal the session's result: SM4-GCM encrypted, SM2 signed",
  examples: [
    {
      command:
        "anju selection export --state s.json --out result.bin --sm4-key <32 hex> --sm2-private-key <64 hex>",
      description: "keys may come from ANJU_SELECTION_SM4_KEY / ANJU_SELECTION_SM2_PRIVATE_KEY",
    },
  ],
  config: {
    state: stateFlag,
    out: textFlag("out", "result.bin", "the sealed result"),
    sm4Key: optionalText("sm4-key", "HEX32", "SM4 key (default: ANJU_SELECTION_SM4_KEY)"),
    sm2PrivateKey: optionalText(
      "sm2-private-key",
      "HEX64",
      "SM2 private key (default: ANJU_SELECTION_SM2_PRIVATE_KEY)",
    ),
    at: atFlag,
  },
  run: async (input, io) => {
    const s = await loadState(io, input.state)
    if (typeof s === "string") {
      io.err(s)
      return 1
    }
    const result = resultOf(s, instant(input.at))
    const sealed = SelectionSeal.seal(encodeResult(result), {
      sm4Key: key(input.sm4Key, io, "sm4-key", "ANJU_SELECTION_SM4_KEY"),
      sm2PrivateKey: key(input.sm2PrivateKey, io, "sm2-private-key", "ANJU_SELECTION_SM2_PRIVATE_KEY"),
    })
    if (Result.isFailure(sealed)) {
      io.err(`export failed: ${sealed.failure.message}`)
      return 1
    }
    const out = input.out
    await writeAtomically(out, sealed.success)
    io.out(
      `exported ${result.bindings.length} binding(s), ${result.skipped.length} skipped, ${result.released.length} released → ${out} (SM4-GCM, SM2-signed)`,
    )
    return 0
  },
})

export const selectionImport = defineCommand({
  words: ["selection", "import"],
  description:
    "verify and open a sealed result and write it into the round's selection records on the server (R54): check-ins, choices, releases, skips; the chosen units let",
  examples: [
    {
      command:
        "anju selection import --in result.bin --round LR-2026-01 --sm4-key <32 hex> --sm2-public-key <hex> --data-dir .anju-data",
      description:
        "all or nothing; importing the same file again changes nothing; keys may come from ANJU_SELECTION_SM4_KEY / …_SM2_PUBLIC_KEY",
    },
  ],
  config: {
    in: textFlag("in", "result.bin", "the sealed result"),
    round: textFlag("round", "ROUND", "the lottery round whose families the offline session selected"),
    sm4Key: optionalText("sm4-key", "HEX32", "SM4 key (default: ANJU_SELECTION_SM4_KEY)"),
    sm2PublicKey: optionalText(
      "sm2-public-key",
      "HEX",
      "SM2 public key (default: ANJU_SELECTION_SM2_PUBLIC_KEY)",
    ),
    storage: storageFlags,
  },
  run: async (input, io) => {
    const opened = SelectionSeal.open(await io.readFile(input.in), {
      sm4Key: key(input.sm4Key, io, "sm4-key", "ANJU_SELECTION_SM4_KEY"),
      sm2PublicKey: key(input.sm2PublicKey, io, "sm2-public-key", "ANJU_SELECTION_SM2_PUBLIC_KEY"),
    })
    if (Result.isFailure(opened)) {
      io.err(`not imported: ${opened.failure.message} [${opened.failure.reason}]`)
      return 1
    }
    const storage = storageOf(input.storage, io.env)
    const runtime = ManagedRuntime.make(storesLayer(storage).pipe(Layer.orDie))
    try {
      // The same records a server session writes (R54); the stored stock unit is the only truth (R37).
      const exit = await runtime.runPromiseExit(
        importSelectionResult(LOCAL_AUTHORITY, opened.success, { roundId: input.round }),
      )
      if (Exit.isFailure(exit)) {
        const e = exit.cause.reasons[0]
        const error = e?._tag === "Fail" ? (e.error as { message: string; rule?: string }) : undefined
        io.err(
          `not imported: ${error === undefined ? String(exit.cause) : `${error.message}${error.rule === undefined ? "" : ` [${error.rule}]`}`}`,
        )
        return 1
      }
      const { result, bindings, counts, changed, written, sessionId, roundId, status } = exit.value
      const p = status.progress
      io.out(
        [
          `signature verified; ${result.title} → selection ${sessionId} of round ${roundId} on ${describeStorage(storage)}: ${
            changed ? `${written} record(s) written` : "already imported, nothing changed"
          }`,
          `families ${p.families}: selected ${p.chosen}, skipped ${p.skipped}, released ${p.released}, waiting ${p.pending}`,
          "family,unit,project,unit_type,status",
          ...bindings.map((b) =>
            toCsvLine([
              b.family,
              b.unit.id,
              b.unit.projectId,
              Inventory.unitTypeLabel(b.unit),
              b.unit.status,
            ]),
          ),
          "project,unit_type,available,let,remaining_rentable",
          ...Inventory.strata(counts).map((c) =>
            toCsvLine([
              c.projectId,
              Inventory.unitTypeLabel(c),
              c.available,
              c.let,
              Inventory.remainingRentable(c),
            ]),
          ),
        ].join("\n"),
      )
      return 0
    } finally {
      await runtime.dispose()
    }
  },
})

export const SELECTION_COMMANDS: ReadonlyArray<Command> = [
  selectionInit,
  selectionCheckIn,
  selectionPreselect,
  selectionChoose,
  selectionSkip,
  selectionRelease,
  selectionStatus,
  selectionExport,
  selectionImport,
]
