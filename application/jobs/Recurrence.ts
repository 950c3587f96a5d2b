/**
 * Due times of a schedule (定时任务) and the catch-up rule, as pure functions of their arguments (no clock).
 * Cron is read by `cron-parser` in Asia/Shanghai; an interval counts from the schedule's anchor. The
 * catch-up rule: whatever was missed between the last run and now runs ONCE, at the latest due time, and
 * reports how many earlier due times it coalesced; the next due time is always strictly after now.
 */
import { CronExpressionParser } from "cron-parser"
import type { JobKindDefinition, Recurrence } from "../ports/JobQueue.js"

export const SCHEDULE_TIME_ZONE = "Asia/Shanghai"

/** Most due times counted one by one for a cron catch-up; beyond it the count is reported as this bound. */
export const MAX_COUNTED = 100_000

/** A reason a recurrence cannot be used, or null. */
export const recurrenceProblem = (every: Recurrence): string | null => {
  if (every._tag === "Interval")
    return Number.isSafeInteger(every.ms) && every.ms >= 1 ? null : "an interval is a whole number of ms ≥ 1"
  try {
    CronExpressionParser.parse(every.expression, { tz: SCHEDULE_TIME_ZONE, strict: false })
    return null
  } catch (e) {
    return `not a cron expression (${e instanceof Error ? e.message : String(e)})`
  }
}

const cron = (expression: string, from: number) =>
  CronExpressionParser.parse(expression, { currentDate: new Date(from), tz: SCHEDULE_TIME_ZONE })

/** The first due time strictly after `after`. `anchor` (an earlier instant) aligns intervals. */
export const nextDue = (every: Recurrence, after: number, anchor: number): number => {
  if (every._tag === "Interval") {
    if (after < anchor) return anchor
    return anchor + (Math.floor((after - anchor) / every.ms) + 1) * every.ms
  }
  return cron(every.expression, after).next().getTime()
}

export interface CatchUp {
  /** Whether at least one due time lies in (lastDue, now]. */
  readonly due: boolean
  /** The latest due time ≤ now (the one the single run answers); null when nothing is due. */
  readonly dueAt: number | null
  /** Due times in (lastDue, now] other than `dueAt`: the runs this one run stands for. */
  readonly coalesced: number
  /** The first due time strictly after now. */
  readonly nextAt: number
}

/**
 * The catch-up decision at `now` for a schedule whose next due time was `pendingAt` (the first due time
 * after its previous run). Missed for three days on a daily schedule → `due`, `coalesced` 2.
 */
export const catchUp = (every: Recurrence, pendingAt: number, now: number, anchor: number): CatchUp => {
  if (pendingAt > now) return { due: false, dueAt: null, coalesced: 0, nextAt: pendingAt }
  if (every._tag === "Interval") {
    const k = Math.floor((now - pendingAt) / every.ms)
    const dueAt = pendingAt + k * every.ms
    return { due: true, dueAt, coalesced: k, nextAt: nextDue(every, now, anchor) }
  }
  let dueAt = pendingAt
  let count = 1
  const it = cron(every.expression, pendingAt)
  for (;;) {
    const t = it.next().getTime()
    if (t > now) return { due: true, dueAt, coalesced: count - 1, nextAt: t }
    dueAt = t
    count += 1
    if (count > MAX_COUNTED)
      return { due: true, dueAt: now, coalesced: MAX_COUNTED, nextAt: nextDue(every, now, anchor) }
  }
}

/** Backoff before the retry that follows failed attempt `attempt` (1-based): exponential, capped. */
export const backoffMs = (definition: JobKindDefinition, attempt: number): number =>
  Math.min(definition.backoff.baseMs * 2 ** Math.max(0, attempt - 1), definition.backoff.maxMs)

/** A reason a kind definition cannot be used, or null. */
export const kindProblem = (d: JobKindDefinition): string | null => {
  if (!/^[a-z][a-z0-9._-]{0,63}$/u.test(d.kind)) return `job kind "${d.kind}" is not a lower-case name`
  if (!Number.isSafeInteger(d.maxAttempts) || d.maxAttempts < 1) return `${d.kind}: maxAttempts must be ≥ 1`
  if (!(d.backoff.baseMs >= 0 && d.backoff.maxMs >= d.backoff.baseMs))
    return `${d.kind}: backoff needs 0 ≤ baseMs ≤ maxMs`
  if (!Number.isSafeInteger(d.leaseMs) || d.leaseMs < 10) return `${d.kind}: leaseMs must be ≥ 10`
  return null
}
