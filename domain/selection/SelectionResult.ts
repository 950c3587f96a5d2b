/**
 * The exported result of a selection session (选房结果, R54): exactly the bytes that are encrypted and signed
 * outside the domain (adapters/sm/SelectionSeal.ts). Canonical JSON (sorted keys, no spaces, UTF-8) of the
 * bindings (family ↔ unit, 人房关系) in (stratum, rank) order, the skipped and released families, and counts.
 * Same session + same export instant → identical bytes. Carries application numbers, never ID numbers.
 */
import { Data, Result, Schema } from "effect"
import type { SessionState } from "./SelectionSession.js"

export const RESULT_FORMAT = "anju-selection-result/1"

const Binding = Schema.Struct({
  family: Schema.String,
  stratum: Schema.String,
  rank: Schema.Int,
  unit: Schema.String,
  at: Schema.Finite,
})
export const SelectionResult = Schema.Struct({
  format: Schema.Literal(RESULT_FORMAT),
  title: Schema.String,
  exportedAt: Schema.Finite,
  families: Schema.Int,
  units: Schema.Int,
  bindings: Schema.Array(Binding),
  skipped: Schema.Array(Schema.Struct({ family: Schema.String, reason: Schema.String, at: Schema.Finite })),
  released: Schema.Array(
    Schema.Struct({ family: Schema.String, unit: Schema.String, reason: Schema.String, at: Schema.Finite }),
  ),
})
export type SelectionResult = typeof SelectionResult.Type

export class SelectionResultMalformed extends Data.TaggedError("SelectionResultMalformed")<{
  readonly message: string
}> {}

export const resultOf = (s: SessionState, exportedAt: number): SelectionResult => ({
  format: RESULT_FORMAT,
  title: s.title,
  exportedAt,
  families: s.families.length,
  units: s.units.length,
  bindings: s.families.flatMap((f) => {
    const c = s.chosen[f.id]
    return c === undefined ? [] : [{ family: f.id, stratum: f.stratum, rank: f.rank, unit: c.unit, at: c.at }]
  }),
  skipped: s.families.flatMap((f) => {
    const k = s.skipped[f.id]
    return k === undefined ? [] : [{ family: f.id, reason: k.reason, at: k.at }]
  }),
  released: s.families.flatMap((f) => {
    const r = s.released[f.id]
    return r === undefined ? [] : [{ family: f.id, unit: r.unit, reason: r.reason, at: r.at }]
  }),
})

const canonical = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(canonical).join(",")}]`
    : typeof v === "object" && v !== null
      ? `{${Object.keys(v)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
          .join(",")}}`
      : JSON.stringify(v)

/** The exported bytes (before encryption and signature). */
export const encodeResult = (r: SelectionResult): Uint8Array => new TextEncoder().encode(canonical(r))

const decode = Schema.decodeUnknownResult(SelectionResult, { onExcessProperty: "error" })

/** Decodes exported bytes; also checks that no unit is bound twice and no family appears twice. */
export const decodeResult = (bytes: Uint8Array): Result.Result<SelectionResult, SelectionResultMalformed> => {
  let v: unknown
  try {
    v = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes))
  } catch (e) {
    return Result.fail(new SelectionResultMalformed({ message: `not UTF-8 JSON: ${(e as Error).message}` }))
  }
  const r = decode(v)
  if (Result.isFailure(r)) return Result.fail(new SelectionResultMalformed({ message: r.failure.message }))
  const units = new Set(r.success.bindings.map((b) => b.unit))
  const fams = new Set(r.success.bindings.map((b) => b.family))
  if (units.size !== r.success.bindings.length || fams.size !== r.success.bindings.length)
    return Result.fail(new SelectionResultMalformed({ message: "a unit or a family is bound twice" }))
  return Result.succeed(r.success)
}
