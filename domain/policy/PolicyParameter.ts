/**
 * Policy parameter (政策参数) definitions: units, the typed value each unit decodes to, the source
 * every value must cite, and `ParameterKey` — the typed handle rules use to read a parameter through a
 * `ParameterReader`. A value is written in YAML in its unit's human notation (`"¥39,600.00"` for fen,
 * `"85.50 m2"` for m2_hundredths, `"0.85"` / `"17/20"` for ratio) and stored exactly (integers only).
 */
import { Result } from "effect"
import * as Area from "../values/Area.js"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import * as Money from "../values/Money.js"
import * as Ratio from "./Ratio.js"

/** Units a parameter can have. The stored value type of each is `UnitValue[U]`. */
export const UNITS = [
  "fen",
  "m2_hundredths",
  "months",
  "years",
  "days",
  "count",
  "ratio",
  "choice",
  "flag",
] as const
export type Unit = (typeof UNITS)[number]

export interface UnitValue {
  readonly fen: Money.Money
  readonly m2_hundredths: Area.Area
  readonly months: number
  readonly years: number
  readonly days: number
  readonly count: number
  readonly ratio: Ratio.Ratio
  readonly choice: string
  readonly flag: boolean
}
export type ParameterValue = UnitValue[Unit]

/** The literal every example value must carry instead of a document citation. */
export const EXAMPLE_SOURCE = "example value — replace"

/** Where a value comes from: a document number and article, or the example marker. */
export type ParameterSource = { readonly document: string; readonly article: string } | typeof EXAMPLE_SOURCE

export const isExample = (s: ParameterSource): s is typeof EXAMPLE_SOURCE => s === EXAMPLE_SOURCE

/** `沪房规范〔2020〕3号 第九条`, or the example marker. */
export const formatSource = (s: ParameterSource): string => (isExample(s) ? s : `${s.document} ${s.article}`)

/**
 * A typed handle to one parameter. `rules` lists the rule ids (R18 …) that read it; docs and the
 * load-time check `requireParameters` use it. `choices` constrains a `choice` parameter.
 */
export interface ParameterKey<U extends Unit, A extends UnitValue[U] = UnitValue[U]> {
  readonly path: string
  readonly unit: U
  readonly rules: ReadonlyArray<string>
  readonly choices?: ReadonlyArray<A & string>
  /** Phantom: the value type a read returns. */
  readonly _A?: A
}

/** Any key, for lists such as `allGuardParameters` (only path, unit, rules and choices are used). */
export interface AnyParameterKey {
  readonly path: string
  readonly unit: Unit
  readonly rules: ReadonlyArray<string>
  readonly choices?: ReadonlyArray<string>
}

export const key = <U extends Exclude<Unit, "choice">>(
  path: string,
  unit: U,
  rules: ReadonlyArray<string>,
): ParameterKey<U> => ({
  path,
  unit,
  rules,
})

export const choiceKey = <const C extends string>(
  path: string,
  choices: ReadonlyArray<C>,
  rules: ReadonlyArray<string>,
): ParameterKey<"choice", C> => ({
  path,
  unit: "choice",
  rules,
  choices,
})

const PATH = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/u
export const isPath = (s: string): boolean => PATH.test(s)

const nonNegativeInt = (raw: unknown, field: string, unit: string): Result.Result<number, InvalidValue> =>
  typeof raw === "number" && Number.isSafeInteger(raw) && raw >= 0
    ? Result.succeed(raw)
    : Result.fail(invalid(field, `parameter.${unit}`, raw, `a ${unit} value is a whole non-negative number`))

/**
 * Decodes a YAML value in the notation of `unit`. fen: integer fen, or a yuan string that starts with
 * `¥` (`"¥39,600.00"`); m2_hundredths: integer hundredths, or `"85.50 m2"`; ratio: `"0.85"`, `"85%"`,
 * `"17/20"` (a plain YAML number is read through its shortest decimal text); choice: one of `choices`.
 */
export const decodeValue = (
  unit: Unit,
  raw: unknown,
  field: string,
  choices?: ReadonlyArray<string>,
): Result.Result<ParameterValue, InvalidValue> => {
  switch (unit) {
    case "fen":
      if (typeof raw === "string") {
        if (!raw.trim().startsWith("¥"))
          return Result.fail(
            invalid(
              field,
              "parameter.fen",
              raw,
              'write money as integer fen or as yuan with a "¥" prefix, e.g. "¥39,600.00"',
            ),
          )
        return Money.parseYuan(raw, field)
      }
      return typeof raw === "number"
        ? Money.fromFen(raw, field)
        : Result.fail(invalid(field, "parameter.fen", raw, "expected money"))
    case "m2_hundredths":
      if (typeof raw === "string") {
        const m = /^(.*?)\s*(m2|m²|㎡)$/u.exec(raw.trim())
        if (!m)
          return Result.fail(
            invalid(field, "parameter.m2", raw, 'write areas as integer hundredths or as "85.50 m2"'),
          )
        return Area.parseSquareMetres(m[1]!, field)
      }
      return Area.fromHundredths(typeof raw === "number" ? raw : Number.NaN, field)
    case "months":
    case "years":
    case "days":
    case "count":
      return nonNegativeInt(raw, field, unit)
    case "ratio":
      return typeof raw === "string" || typeof raw === "number"
        ? Ratio.parse(String(raw), field)
        : Result.fail(invalid(field, "parameter.ratio", raw, "expected a ratio such as 0.85 or 17/20"))
    case "flag":
      return typeof raw === "boolean"
        ? Result.succeed(raw)
        : Result.fail(invalid(field, "parameter.flag", raw, "expected true or false"))
    case "choice":
      if (typeof raw !== "string")
        return Result.fail(invalid(field, "parameter.choice", raw, "expected one of the declared choices"))
      return choices === undefined || choices.includes(raw)
        ? Result.succeed(raw)
        : Result.fail(invalid(field, "parameter.choice", raw, `expected one of: ${choices.join(", ")}`))
  }
}

/** Human text of a stored value: `¥39,600.00`, `85.50 m²`, `3 months`, `17/20`, `red`, `true`. */
export const formatValue = (unit: Unit, v: ParameterValue): string => {
  switch (unit) {
    case "fen":
      return Money.format(v as Money.Money)
    case "m2_hundredths":
      return Area.format(v as Area.Area)
    case "ratio":
      return Ratio.format(v as Ratio.Ratio)
    case "months":
    case "years":
    case "days":
      return `${v as number} ${unit}`
    default:
      return String(v)
  }
}
