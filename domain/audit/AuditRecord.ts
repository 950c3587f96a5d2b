/**
 * Audit record (审计日志记录, GB/T 39786 log integrity): who (actor id and role), when (UTC instant), what
 * (action on an object), why (purpose: required for every decryption of personal data, `pii.open`), the
 * outcome and the request it belongs to. Records are numbered (seq) and SM3-chained by AuditChain; this
 * module holds the entry, its validation and its canonical text. Invariant: a valid entry contains no NUL,
 * no lone surrogate and no control character outside `purpose`/`detail`, so its UTF-8 encoding is exact.
 */
import { Result } from "effect"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"

/** The action that records a decryption of personal data; its entries must carry a purpose. */
export const PII_OPEN = "pii.open"

export const AUDIT_OUTCOMES = ["success", "denied", "failure"] as const
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number]

/** What the application states about one audited act; seq and hashes are added by the log. */
export interface AuditEntry {
  /** UTC instant, `YYYY-MM-DDTHH:MM:SS.sssZ` (as `Date.prototype.toISOString`), taken from the clock. */
  readonly at: string
  readonly actorId: string
  /** The actor's scope kind (`city`, `district`, … `system`) or another short role word (`cli`). */
  readonly actorRole: string
  /** Dotted verb: `stock.registerUnits`, `cases.command.reject`, `pii.open`. */
  readonly action: string
  /** `<kind>:<id>`: `unit:U-1`, `case:C-1`. */
  readonly object: string
  /** Why (free text); required and non-blank for `pii.open`, otherwise optional. */
  readonly purpose: string | null
  readonly outcome: AuditOutcome
  readonly requestId: string | null
  /** A short structured note (`field=idNumber`), never personal data in clear. */
  readonly detail: string | null
}

export const INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/u
export const ACTION_PATTERN = /^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*){1,4}$/u
export const OBJECT_PATTERN = /^[a-z][A-Za-z0-9]*:[^\s\p{Cc}]{1,200}$/u
export const ROLE_PATTERN = /^[a-z][A-Za-z0-9]{0,31}$/u
/** Ids (actor, request): 1–200 printable characters without spaces. */
export const TOKEN_PATTERN = /^[^\s\p{Cc}]{1,200}$/u
export const MAX_TEXT = 2000

/** The instant of `epochMillis` as an audit timestamp (RangeError outside years 0000–9999 is a defect). */
export const instantOf = (epochMillis: number): string => new Date(epochMillis).toISOString()

const LONE_SURROGATE = /\p{Cs}/u

/** True when `s` holds a NUL or a lone surrogate: text no valid entry holds and PostgreSQL cannot store. */
export const hasUnstorableText = (s: string): boolean => s.includes("\u0000") || LONE_SURROGATE.test(s)

const badToken = (field: string, value: string, pattern: RegExp, rule: string, what: string) =>
  pattern.test(value) && !LONE_SURROGATE.test(value) ? null : invalid(field, rule, value, what)

const badText = (field: string, value: string | null): InvalidValue | null => {
  if (value === null) return null
  if (hasUnstorableText(value))
    return invalid(field, "AU.text", "", `${field} contains a NUL character or a lone surrogate`)
  if (value.length > MAX_TEXT)
    return invalid(field, "AU.text", "", `${field} is longer than ${MAX_TEXT} characters`)
  return null
}

/**
 * Checks an entry; the first problem names its field and rule (`AU.*`). A calendar-invalid instant
 * (`2024-02-30T…`) is refused too: the timestamp must round-trip through `instantOf`.
 */
export const validateAuditEntry = (e: AuditEntry): Result.Result<AuditEntry, InvalidValue> => {
  const problem =
    (INSTANT_PATTERN.test(e.at) && !Number.isNaN(Date.parse(e.at)) && instantOf(Date.parse(e.at)) === e.at
      ? null
      : invalid("at", "AU.instant", e.at, "at must be a UTC instant YYYY-MM-DDTHH:MM:SS.sssZ")) ??
    badToken(
      "actorId",
      e.actorId,
      TOKEN_PATTERN,
      "AU.actor",
      "actorId must be 1–200 characters without spaces",
    ) ??
    badToken("actorRole", e.actorRole, ROLE_PATTERN, "AU.role", "actorRole must be a short word like city") ??
    badToken(
      "action",
      e.action,
      ACTION_PATTERN,
      "AU.action",
      "action must be dotted words like stock.registerUnits",
    ) ??
    badToken("object", e.object, OBJECT_PATTERN, "AU.object", "object must be <kind>:<id> like unit:U-1") ??
    badText("purpose", e.purpose) ??
    (e.action === PII_OPEN && (e.purpose === null || e.purpose.trim() === "")
      ? invalid(
          "purpose",
          "AU.purpose-required",
          "",
          "a decryption of personal data (pii.open) must state its purpose",
        )
      : null) ??
    ((AUDIT_OUTCOMES as ReadonlyArray<string>).includes(e.outcome)
      ? null
      : invalid("outcome", "AU.outcome", e.outcome, "outcome must be success, denied or failure")) ??
    (e.requestId === null
      ? null
      : badToken(
          "requestId",
          e.requestId,
          TOKEN_PATTERN,
          "AU.request",
          "requestId must be 1–200 characters without spaces",
        )) ??
    badText("detail", e.detail)
  return problem === null ? Result.succeed(e) : Result.fail(problem)
}

/**
 * Canonical body of an entry: the JSON array `[at, actorId, actorRole, action, object, purpose, outcome,
 * requestId, detail]` exactly as `JSON.stringify` writes it (no whitespace, null for absent values,
 * minimal string escapes). Any change of any field changes this text.
 */
export const canonicalBody = (e: AuditEntry): string =>
  JSON.stringify([
    e.at,
    e.actorId,
    e.actorRole,
    e.action,
    e.object,
    e.purpose,
    e.outcome,
    e.requestId,
    e.detail,
  ])
