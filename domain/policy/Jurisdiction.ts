/**
 * Jurisdiction (管辖区划) of a policy value: a 6-digit GB/T 2260 division code. `310000` is the city
 * of Shanghai (市级); `3101xx` codes are its districts (区级). A code with more trailing `00` pairs is
 * broader: it covers every code sharing its non-zero prefix. Specificity orders lookups: the most
 * specific covering jurisdiction wins (district over city).
 */
import { Result, Schema } from "effect"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"

const SHAPE = /^\d{6}$/u

export const Jurisdiction = Schema.String.pipe(
  Schema.check(
    Schema.makeFilter(
      (s: string) =>
        (SHAPE.test(s) && s !== "000000") || "expected a 6-digit division code such as 310000 or 310115",
    ),
  ),
  Schema.brand("Jurisdiction"),
)
export type Jurisdiction = typeof Jurisdiction.Type

/** The city of Shanghai (上海市). */
export const SHANGHAI = "310000" as Jurisdiction

/** Accepts `310115` or the number 310115 (YAML reads unquoted codes as numbers). */
export const parse = (input: unknown, field = "jurisdiction"): Result.Result<Jurisdiction, InvalidValue> => {
  const s =
    typeof input === "number" && Number.isInteger(input)
      ? String(input)
      : typeof input === "string"
        ? input.trim()
        : undefined
  return s !== undefined && SHAPE.test(s) && s !== "000000"
    ? Result.succeed(s as Jurisdiction)
    : Result.fail(
        invalid(
          field,
          "jurisdiction.format",
          input,
          "expected a 6-digit division code such as 310000 or 310115",
        ),
      )
}

/** The significant prefix: `310000` → `31`, `310100` → `3101`, `310115` → `310115`. */
const prefix = (j: Jurisdiction): string => j.replace(/(00)+$/u, "")

/** 0 for a province-level/municipal code, up to 2 for a county-level (district) code. */
export const specificity = (j: Jurisdiction): number => (prefix(j).length - 2) / 2

/** Does `broad` cover `narrow` (equal, or `narrow` lies inside `broad`)? */
export const covers = (broad: Jurisdiction, narrow: Jurisdiction): boolean => narrow.startsWith(prefix(broad))
