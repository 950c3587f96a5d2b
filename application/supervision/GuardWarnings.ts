/**
 * Fairness-guard warnings (公平卫士, R13–R22 at the application and acceptance steps, R6) onto the persisted
 * R24 warning list (警示名单). A case step that commits carries its listing as one `GuardWarnings` outbox event
 * in the same transaction; the relay handler `warnings.guard` raises it (so a warning exists exactly when its
 * step committed). A blocked step (red, 强拦截) commits nothing, so the case flow raises its listing at once.
 * Idempotent by key (person blind index, rule, level, `case:<id>`, stage): a redelivered event or a retried
 * command raises nothing twice. Persons only as FieldCipher blind indexes, in the event and in the store.
 */
import { Effect, Schema } from "effect"
import { LEVELS } from "../../domain/guard/GuardWarning.js"
import type { GuardReport } from "../../domain/guard/GuardWarning.js"
import { guardListItems, makeWarningRecord } from "../../domain/guard/WarningRecord.js"
import type { OutboxHandler } from "../jobs/OutboxRelay.js"
import type { OutboxEvent } from "../ports/CaseStore.js"
import { FieldCipher } from "../ports/FieldCipher.js"
import { WarningStore } from "../ports/WarningStore.js"
import { warningIdOf } from "./Rechecks.js"

/** The outbox event type carrying a committed step's guard warnings. */
export const GUARD_WARNINGS_EVENT = "GuardWarnings"

/** Who raised a guard warning (the trail's `by`): the fairness guard, on behalf of the step's actor. */
export const GUARD_RAISER = "guard"

const Listed = Schema.Struct({
  personIndex: Schema.String,
  rule: Schema.String,
  level: Schema.Literals(LEVELS),
  block: Schema.Boolean,
  message: Schema.String,
  evidence: Schema.Record(Schema.String, Schema.String),
  related: Schema.Array(Schema.String),
})

/** A guard run's warning-list entries, persons replaced by blind indexes (no personal data). */
export const GuardListing = Schema.Struct({
  /** The step the guard ran at; the key's period (one record per case and step). */
  stage: Schema.Literals(["application", "acceptance"]),
  /** Civil date of the step (Asia/Shanghai). */
  raisedOn: Schema.String,
  /** The case's acceptance district: the record's data scope. */
  district: Schema.String,
  warnings: Schema.Array(Listed),
})
export type GuardListing = typeof GuardListing.Type

/** The R24 listing of a guard report (null when nothing enters the list). */
export const guardListing = Effect.fn("GuardWarnings.listing")(function* (
  report: Pick<GuardReport, "warnings" | "warningList">,
  context: { readonly stage: GuardListing["stage"]; readonly raisedOn: string; readonly district: string },
) {
  const items = guardListItems(report)
  if (items.length === 0) return null
  const cipher = yield* FieldCipher
  const warnings = yield* Effect.forEach(items, ({ entry, warning }) =>
    Effect.map(cipher.blindIndex("idNumber", entry.person), (personIndex) => ({
      personIndex,
      rule: warning.rule,
      level: warning.level,
      block: warning.block,
      message: warning.message,
      evidence: { ...warning.evidence },
      related: [...(warning.related ?? [])],
    })),
  )
  return { ...context, warnings } satisfies GuardListing
})

/** The outbox event of a committed step's listing: id `<case>:<version>:<index>` like every case event. */
export const guardWarningsEvent = (
  c: { readonly id: OutboxEvent["caseId"]; readonly version: number },
  listing: GuardListing,
  index: number,
  at: number,
): OutboxEvent => ({
  id: `${c.id}:${c.version}:${index}`,
  caseId: c.id,
  at,
  type: GUARD_WARNINGS_EVENT,
  payload: { listing },
})

/**
 * Raises every warning of a listing for `caseId` (R24), idempotent by key (person, rule, level,
 * `case:<id>`, stage). Returns how many were new.
 */
export const raiseGuardWarnings = Effect.fn("GuardWarnings.raise")(function* (
  caseId: string,
  listing: GuardListing,
  at: number,
) {
  const store = yield* WarningStore
  const subject = `case:${caseId}`
  let created = 0
  for (const w of listing.warnings) {
    const keyed = {
      personIndex: w.personIndex,
      category: w.rule,
      level: w.level,
      subject,
      period: listing.stage,
    }
    const r = yield* store.raise(
      makeWarningRecord({
        id: warningIdOf(keyed),
        warning: {
          rule: w.rule,
          level: w.level,
          block: w.block,
          message: w.message,
          evidence: { ...w.evidence, stage: listing.stage, ...(w.block ? { blocked: "true" } : {}) },
          related: w.related,
          parameters: [],
        },
        personIndex: w.personIndex,
        district: listing.district,
        subject,
        period: listing.stage,
        raisedOn: listing.raisedOn,
        raisedAt: at,
        raisedBy: GUARD_RAISER,
        caseId,
      }),
    )
    if (r.created) created += 1
  }
  return created
})

const decodeListing = Schema.decodeUnknownEffect(GuardListing)

/** Relay handler: a committed step's guard warnings onto the list, once per key (redelivery is a no-op). */
export const guardWarningsHandler: OutboxHandler<WarningStore> = {
  name: "warnings.guard",
  types: [GUARD_WARNINGS_EVENT],
  handle: (event) =>
    Effect.flatMap(decodeListing(event.payload["listing"]), (listing) =>
      Effect.asVoid(raiseGuardWarnings(event.caseId, listing, event.at)),
    ),
}
