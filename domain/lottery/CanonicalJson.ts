/**
 * Canonical JSON for lottery transcripts (R53): the RFC 8785 (JCS) form restricted to the values a
 * transcript holds — object keys sorted by UTF-16 code units, no whitespace, strings escaped as
 * JSON.stringify does, numbers only as safe integers, `undefined` members omitted. Same value → same bytes.
 */

export type Json =
  | null
  | boolean
  | number
  | string
  | ReadonlyArray<Json>
  | { readonly [k: string]: Json | undefined }

/** Canonical text of `value`; throws RangeError on non-integer numbers (a programming error, not input). */
export const canonicalJson = (value: Json): string => {
  if (value === null) return "null"
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false"
    case "number":
      if (!Number.isSafeInteger(value))
        throw new RangeError(`canonical JSON holds safe integers only: ${value}`)
      return Object.is(value, -0) ? "0" : String(value)
    case "string":
      return JSON.stringify(value)
    default:
      if (Array.isArray(value)) return `[${(value as ReadonlyArray<Json>).map(canonicalJson).join(",")}]`
      return `{${Object.keys(value)
        .filter((k) => (value as Record<string, Json | undefined>)[k] !== undefined)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, Json>)[k]!)}`)
        .join(",")}}`
  }
}
