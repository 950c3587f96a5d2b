/**
 * The one typed failure of every value parser and domain rule check: which field, which rule, which value.
 * Parsers return `Result<A, InvalidValue>` and never throw; callers surface `field` and `rule` verbatim
 * (HTTP 422 bodies, import reports, CLI messages), so rule names are stable identifiers.
 */
import { Data } from "effect"

export class InvalidValue extends Data.TaggedError("InvalidValue")<{
  /** Dotted path of the offending field (`unit.bedrooms`, `idNumber`). */
  readonly field: string
  /** Stable rule identifier (`R132.bedrooms-range`, `GB11643.check-digit`). */
  readonly rule: string
  /** The rejected input, rendered as text (never a secret: callers redact personal data first). */
  readonly value: string
  readonly message: string
}> {}

export const invalid = (field: string, rule: string, value: unknown, message: string): InvalidValue =>
  new InvalidValue({ field, rule, value: value === undefined ? "" : String(value), message })

/** Re-targets an error produced for a bare value at the field it came from. */
export const atField =
  (field: string) =>
  (e: InvalidValue): InvalidValue =>
    new InvalidValue({ field, rule: e.rule, value: e.value, message: e.message })
