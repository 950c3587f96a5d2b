/**
 * Parameter reader (参数读取器): the only way a rule obtains a policy value. A reader is bound to a
 * decision's date and district; every successful `read` appends a `TraceEntry` (path, value, source,
 * period, jurisdiction, file) before the value is returned, so a decision can list every parameter it
 * used. The policy table hands its lookup to `makeReader` only — it exposes no other value accessor.
 */
import { Data, Result } from "effect"
import type { CivilDate } from "../values/CivilDate.js"
import type { Jurisdiction } from "./Jurisdiction.js"
import {
  type ParameterKey,
  type ParameterSource,
  type ParameterValue,
  type Unit,
  type UnitValue,
  formatSource,
  formatValue,
} from "./PolicyParameter.js"

/** Effective period; both ends inclusive, `to` absent = open-ended. */
export interface Period {
  readonly from: CivilDate
  readonly to?: CivilDate
}

/** One parameter value as read for a decision. JSON-serialisable. */
export interface TraceEntry {
  readonly path: string
  readonly unit: Unit
  readonly value: ParameterValue
  /** Human text of the value (`¥39,600.00`). */
  readonly display: string
  readonly source: ParameterSource
  readonly sourceText: string
  readonly period: Period
  readonly jurisdiction: Jurisdiction
  readonly file: string
  /** The date and district the lookup was made for. */
  readonly on: CivilDate
  readonly district?: Jurisdiction
}

export class ParameterNotFound extends Data.TaggedError("ParameterNotFound")<{
  readonly path: string
  readonly on: CivilDate
  readonly district: string
  readonly reason: "unknown-path" | "no-value-on-date" | "unit-mismatch" | "choice-not-allowed"
  readonly message: string
}> {}

/** A located value before tracing; produced by the policy table's private lookup. */
export interface Located {
  readonly unit: Unit
  readonly value: ParameterValue
  readonly source: ParameterSource
  readonly period: Period
  readonly jurisdiction: Jurisdiction
  readonly file: string
}

export type Lookup = (
  path: string,
  on: CivilDate,
  district: Jurisdiction | undefined,
) => Result.Result<Located, ParameterNotFound["reason"]>

export interface ReaderContext {
  readonly on: CivilDate
  readonly district?: Jurisdiction | undefined
}

export interface ParameterReader {
  readonly on: CivilDate
  readonly district: Jurisdiction | undefined
  /** Reads and traces; fails when no value covers the reader's date and district. */
  read<U extends Unit, A extends UnitValue[U]>(key: ParameterKey<U, A>): Result.Result<A, ParameterNotFound>
  /** Every distinct value read so far through this reader or its children, in first-read order. */
  trace(): ReadonlyArray<TraceEntry>
  /** A reader whose reads are traced both in its own trace and in this reader's. */
  child(): ParameterReader
}

const entryKey = (e: TraceEntry): string => `${e.path}|${e.jurisdiction}|${e.period.from}`

export const makeReader = (lookup: Lookup, context: ReaderContext): ParameterReader => {
  const make = (sinks: ReadonlyArray<Array<TraceEntry>>): ParameterReader => {
    const own: Array<TraceEntry> = []
    const all = [...sinks, own]
    const record = (e: TraceEntry): void => {
      for (const sink of all) if (!sink.some((x) => entryKey(x) === entryKey(e))) sink.push(e)
    }
    const fail = (path: string, reason: ParameterNotFound["reason"], message: string) =>
      Result.fail(
        new ParameterNotFound({
          path,
          on: context.on,
          district: context.district ?? "(city)",
          reason,
          message,
        }),
      )
    return {
      on: context.on,
      district: context.district,
      read: <U extends Unit, A extends UnitValue[U]>(
        key: ParameterKey<U, A>,
      ): Result.Result<A, ParameterNotFound> => {
        const found = lookup(key.path, context.on, context.district)
        if (Result.isFailure(found))
          return fail(
            key.path,
            found.failure,
            `no value of ${key.path} on ${context.on} for ${context.district ?? "the city"} (${found.failure})`,
          )
        const hit = found.success
        if (hit.unit !== key.unit)
          return fail(
            key.path,
            "unit-mismatch",
            `${key.path} is declared in ${hit.unit} but read as ${key.unit}`,
          )
        if (key.choices !== undefined && !key.choices.includes(hit.value as A & string))
          return fail(
            key.path,
            "choice-not-allowed",
            `${key.path} = ${String(hit.value)} is not one of ${key.choices.join(", ")}`,
          )
        const entry: TraceEntry = {
          path: key.path,
          unit: hit.unit,
          value: hit.value,
          display: formatValue(hit.unit, hit.value),
          source: hit.source,
          sourceText: formatSource(hit.source),
          period: hit.period,
          jurisdiction: hit.jurisdiction,
          file: hit.file,
          on: context.on,
          ...(context.district === undefined ? {} : { district: context.district }),
        }
        record(entry)
        return Result.succeed(hit.value as A)
      },
      trace: () => [...own],
      child: () => make(all),
    }
  }
  return make([])
}
