/**
 * Policy table (政策参数表): the parameter tree loaded from YAML text (the caller reads the files).
 * Invariants after a successful load: every value decodes in its parameter's unit and cites a source;
 * per (path, jurisdiction) the periods are sorted, inclusive, gap-free and non-overlapping; a path is
 * defined in one file only. Values are reachable only through `reader()` (see ParameterReader), so
 * every read is traced. Lookup: the most specific jurisdiction with a period covering the date wins.
 */
import { Data, Result, Schema } from "effect"
import * as YAML from "yaml"
import * as CivilDate from "../values/CivilDate.js"
import * as Jurisdiction from "./Jurisdiction.js"
import {
  type Located,
  type ParameterReader,
  type Period,
  type ReaderContext,
  makeReader,
} from "./ParameterReader.js"
import {
  type AnyParameterKey,
  EXAMPLE_SOURCE,
  type ParameterSource,
  type ParameterValue,
  UNITS,
  type Unit,
  decodeValue,
  isPath,
} from "./PolicyParameter.js"

export interface PolicyLoadProblem {
  readonly file: string
  /** Parameter path, or `(file)` for a problem with the file as a whole. */
  readonly path: string
  readonly problem:
    | "yaml-syntax"
    | "schema"
    | "bad-value"
    | "period-order"
    | "period-gap"
    | "period-overlap"
    | "duplicate-path"
    | "missing-parameter"
    | "unit-mismatch"
  readonly message: string
}

/** Every problem found while loading, each naming its file and parameter path. */
export class PolicyLoadError extends Data.TaggedError("PolicyLoadError")<{
  readonly problems: ReadonlyArray<PolicyLoadProblem>
  readonly message: string
}> {}

const loadError = (problems: ReadonlyArray<PolicyLoadProblem>): PolicyLoadError =>
  new PolicyLoadError({
    problems,
    message: problems.map((p) => `${p.file}: ${p.path}: ${p.message}`).join("\n"),
  })

const SourceSchema = Schema.Union([
  Schema.Literal(EXAMPLE_SOURCE),
  Schema.Struct({ document: Schema.NonEmptyString, article: Schema.NonEmptyString }),
])

const RawValue = Schema.Struct({
  value: Schema.Unknown,
  from: CivilDate.CivilDate,
  to: Schema.optionalKey(CivilDate.CivilDate),
  jurisdiction: Schema.Union([Schema.String, Schema.Number]),
  source: SourceSchema,
  note: Schema.optionalKey(Schema.String),
})

const RawParameter = Schema.Struct({
  unit: Schema.Literals(UNITS),
  description: Schema.NonEmptyString,
  rules: Schema.Array(Schema.String),
  choices: Schema.optionalKey(Schema.Array(Schema.String)),
  values: Schema.Array(RawValue),
})

const decodeParameter = Schema.decodeUnknownResult(RawParameter)
const PARSE_OPTIONS = { onExcessProperty: "error", errors: "all" } as const

/** Metadata of one stored value, without the value itself. */
export interface ValueMetadata {
  readonly period: Period
  readonly jurisdiction: Jurisdiction.Jurisdiction
  readonly source: ParameterSource
  readonly note?: string
}

export interface ParameterDescription {
  readonly path: string
  readonly unit: Unit
  readonly description: string
  readonly rules: ReadonlyArray<string>
  readonly choices?: ReadonlyArray<string>
  readonly file: string
  readonly values: ReadonlyArray<ValueMetadata>
}

export interface PolicyTable {
  readonly files: ReadonlyArray<string>
  /** All parameter paths, sorted. */
  readonly paths: ReadonlyArray<string>
  /** Metadata for documentation and review; deliberately carries no values. */
  describe(path: string): ParameterDescription | undefined
  /** A tracing reader for one decision (see ParameterReader). */
  reader(context: ReaderContext): ParameterReader
}

interface StoredValue extends ValueMetadata {
  readonly value: ParameterValue
}
interface StoredParameter extends Omit<ParameterDescription, "values"> {
  readonly values: ReadonlyArray<StoredValue>
}

export interface PolicyFile {
  /** File name as shown in errors and traces (`policy/guard.yaml`). */
  readonly name: string
  readonly text: string
}

/** Flattens nested mappings to dotted paths; a mapping with a `unit` key is a parameter. */
const flatten = (node: unknown, prefix: string, out: Array<[string, unknown]>): void => {
  if (node === null || typeof node !== "object" || Array.isArray(node)) {
    out.push([prefix, node])
    return
  }
  if ("unit" in node) {
    out.push([prefix, node])
    return
  }
  for (const [k, v] of Object.entries(node)) flatten(v, prefix === "" ? k : `${prefix}.${k}`, out)
}

const checkPeriods = (
  file: string,
  path: string,
  values: ReadonlyArray<StoredValue>,
  problems: Array<PolicyLoadProblem>,
): void => {
  const byJurisdiction = new Map<string, Array<StoredValue>>()
  for (const v of values)
    byJurisdiction.set(v.jurisdiction, [...(byJurisdiction.get(v.jurisdiction) ?? []), v])
  for (const [j, list] of byJurisdiction) {
    const sorted = [...list].sort((a, b) => CivilDate.compare(a.period.from, b.period.from))
    for (const v of sorted)
      if (v.period.to !== undefined && v.period.to < v.period.from)
        problems.push({
          file,
          path,
          problem: "period-order",
          message: `jurisdiction ${j}: period ${v.period.from}..${v.period.to} ends before it starts`,
        })
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1]!
      const next = sorted[i]!
      if (prev.period.to === undefined || prev.period.to >= next.period.from) {
        problems.push({
          file,
          path,
          problem: "period-overlap",
          message: `jurisdiction ${j}: period from ${prev.period.from} to ${prev.period.to ?? "(open)"} overlaps the one from ${next.period.from}`,
        })
      } else if (CivilDate.addDays(prev.period.to, 1) !== next.period.from) {
        problems.push({
          file,
          path,
          problem: "period-gap",
          message: `jurisdiction ${j}: no value from ${CivilDate.addDays(prev.period.to, 1)} to ${CivilDate.addDays(next.period.from, -1)}`,
        })
      }
    }
  }
}

const parseFile = (file: PolicyFile, problems: Array<PolicyLoadProblem>): Array<StoredParameter> => {
  const doc = YAML.parseDocument(file.text, { prettyErrors: false })
  if (doc.errors.length > 0) {
    for (const e of doc.errors)
      problems.push({ file: file.name, path: "(file)", problem: "yaml-syntax", message: e.message })
    return []
  }
  const root: unknown = doc.toJS()
  if (root === null || typeof root !== "object" || !("parameters" in root)) {
    problems.push({
      file: file.name,
      path: "(file)",
      problem: "schema",
      message: "expected a top-level `parameters:` mapping",
    })
    return []
  }
  const leaves: Array<[string, unknown]> = []
  flatten((root as { parameters: unknown }).parameters, "", leaves)
  const out: Array<StoredParameter> = []
  for (const [path, raw] of leaves) {
    const at = (problem: PolicyLoadProblem["problem"], message: string) =>
      problems.push({ file: file.name, path, problem, message })
    if (!isPath(path)) {
      at(
        "schema",
        "a parameter path is lower-case dotted segments such as guard.r18.income_per_head_limit.large_household",
      )
      continue
    }
    const decoded = decodeParameter(raw, PARSE_OPTIONS)
    if (Result.isFailure(decoded)) {
      at("schema", decoded.failure.message.replaceAll("\n", " "))
      continue
    }
    const p = decoded.success
    if (p.unit === "choice" && (p.choices === undefined || p.choices.length === 0)) {
      at("schema", "a choice parameter declares its `choices`")
      continue
    }
    if (p.values.length === 0) {
      at("schema", "a parameter needs at least one value")
      continue
    }
    const values: Array<StoredValue> = []
    for (const [i, rv] of p.values.entries()) {
      const field = `${path}.values[${i}]`
      const value = decodeValue(p.unit, rv.value, `${field}.value`, p.choices)
      const jurisdiction = Jurisdiction.parse(rv.jurisdiction, `${field}.jurisdiction`)
      if (Result.isFailure(value)) {
        at("bad-value", `${value.failure.field}: ${value.failure.message} (got ${value.failure.value})`)
        continue
      }
      if (Result.isFailure(jurisdiction)) {
        at("bad-value", `${jurisdiction.failure.field}: ${jurisdiction.failure.message}`)
        continue
      }
      values.push({
        value: value.success,
        period: rv.to === undefined ? { from: rv.from } : { from: rv.from, to: rv.to },
        jurisdiction: jurisdiction.success,
        source: rv.source,
        ...(rv.note === undefined ? {} : { note: rv.note }),
      })
    }
    if (values.length !== p.values.length) continue
    checkPeriods(file.name, path, values, problems)
    out.push({
      path,
      unit: p.unit,
      description: p.description,
      rules: p.rules,
      ...(p.choices === undefined ? {} : { choices: p.choices }),
      file: file.name,
      values,
    })
  }
  return out
}

const covers = (period: Period, on: CivilDate.CivilDate): boolean =>
  period.from <= on && (period.to === undefined || on <= period.to)

/**
 * Loads parameter files. Fails with every problem found (YAML syntax, schema, value notation, period
 * gap/overlap per jurisdiction, a path defined twice), each naming its file and path.
 */
export const loadPolicy = (files: ReadonlyArray<PolicyFile>): Result.Result<PolicyTable, PolicyLoadError> => {
  const problems: Array<PolicyLoadProblem> = []
  const table = new Map<string, StoredParameter>()
  for (const file of files)
    for (const p of parseFile(file, problems)) {
      const existing = table.get(p.path)
      if (existing !== undefined)
        problems.push({
          file: file.name,
          path: p.path,
          problem: "duplicate-path",
          message: `already defined in ${existing.file}`,
        })
      else table.set(p.path, p)
    }
  if (problems.length > 0) return Result.fail(loadError(problems))

  const lookup = (
    path: string,
    on: CivilDate.CivilDate,
    district: Jurisdiction.Jurisdiction | undefined,
  ): Result.Result<Located, "unknown-path" | "no-value-on-date"> => {
    const p = table.get(path)
    if (p === undefined) return Result.fail("unknown-path")
    const target = district ?? Jurisdiction.SHANGHAI
    let best: StoredValue | undefined
    for (const v of p.values)
      if (Jurisdiction.covers(v.jurisdiction, target) && covers(v.period, on))
        if (
          best === undefined ||
          Jurisdiction.specificity(v.jurisdiction) > Jurisdiction.specificity(best.jurisdiction)
        )
          best = v
    if (best === undefined) return Result.fail("no-value-on-date")
    return Result.succeed({
      unit: p.unit,
      value: best.value,
      source: best.source,
      period: best.period,
      jurisdiction: best.jurisdiction,
      file: p.file,
    })
  }

  const paths = [...table.keys()].sort()
  return Result.succeed({
    files: files.map((f) => f.name),
    paths,
    describe: (path) => {
      const p = table.get(path)
      if (p === undefined) return undefined
      return { ...p, values: p.values.map(({ value: _value, ...meta }) => meta) }
    },
    reader: (context) => makeReader(lookup, context),
  })
}

/**
 * Checks that the table defines every key with the key's unit and only allowed choices, so a rule
 * set can refuse a policy directory that lacks one of its parameters at load time, not mid-decision.
 */
export const requireParameters = (
  table: PolicyTable,
  keys: ReadonlyArray<AnyParameterKey>,
): Result.Result<PolicyTable, PolicyLoadError> => {
  const problems: Array<PolicyLoadProblem> = []
  for (const k of keys) {
    const d = table.describe(k.path)
    if (d === undefined) {
      problems.push({
        file: table.files.join(", "),
        path: k.path,
        problem: "missing-parameter",
        message: `required by ${k.rules.join(", ")} but not defined`,
      })
      continue
    }
    if (d.unit !== k.unit)
      problems.push({
        file: d.file,
        path: k.path,
        problem: "unit-mismatch",
        message: `defined in ${d.unit}, rules read it in ${k.unit}`,
      })
    const allowed = k.choices
    if (allowed !== undefined && d.choices !== undefined) {
      const extra = d.choices.filter((c) => !allowed.includes(c))
      if (extra.length > 0)
        problems.push({
          file: d.file,
          path: k.path,
          problem: "unit-mismatch",
          message: `choices ${extra.join(", ")} are not understood by the rules (allowed: ${allowed.join(", ")})`,
        })
    }
  }
  return problems.length > 0 ? Result.fail(loadError(problems)) : Result.succeed(table)
}
