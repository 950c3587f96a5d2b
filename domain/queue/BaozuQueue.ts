/**
 * 保租 queue entry (保租房轮候, R43, R44, R47, R165) as a state machine over epoch-millisecond instants
 * given as inputs. 轮候中 waiting → (house free, officer clicks 申请审核) 待申请 offered → form opened within
 * 24 h → 申请中 applying → submitted within 3 h of opening → 待审核 pendingReview → 轮候转申请成功 converted.
 * Windows are inclusive: exactly 24 h (3 h) after the start is still in time; one millisecond later is 超时放弃.
 * Terminal states (converted, timedOut, abandoned, removed) accept nothing; time never goes backwards.
 */

export const STATUSES = [
  "waiting",
  "offered",
  "applying",
  "pendingReview",
  "converted",
  "timedOut",
  "abandoned",
  "removed",
] as const
export type BaozuQueueStatus = (typeof STATUSES)[number]

export const STATUS_LABELS: Record<BaozuQueueStatus, string> = {
  waiting: "轮候中",
  offered: "待申请",
  applying: "申请填报中",
  pendingReview: "待审核",
  converted: "轮候转申请成功",
  timedOut: "超时放弃",
  abandoned: "自愿放弃",
  removed: "轮候解除",
}

export const TERMINAL: ReadonlySet<BaozuQueueStatus> = new Set([
  "converted",
  "timedOut",
  "abandoned",
  "removed",
])
/** States that hold a unit slot of the project × unit type (restored when left for a terminal state). */
export const HOLDS_SLOT: ReadonlySet<BaozuQueueStatus> = new Set(["offered", "applying", "pendingReview"])

export const HOUR_MS = 3_600_000
export interface Windows {
  /** R43: from 待申请 to opening the form, inclusive (default 24 h). */
  readonly openMs: number
  /** R44: from opening the form to submitting, inclusive (default 3 h). */
  readonly submitMs: number
}
export const DEFAULT_WINDOWS: Windows = { openMs: 24 * HOUR_MS, submitMs: 3 * HOUR_MS }

export interface BaozuQueueEntry {
  readonly status: BaozuQueueStatus
  /** Instant of the last accepted event (or of the timeout). */
  readonly at: number
  /** When the current window started (offer / form opening). */
  readonly windowStart?: number
}

export type BaozuQueueEvent =
  /** 申请审核: a house is free; the household is told to apply (轮候中 → 待申请). */
  | { readonly _tag: "Offer"; readonly at: number }
  /** The household opens the application form (R43). */
  | { readonly _tag: "OpenForm"; readonly at: number }
  /** The household submits (R44). */
  | { readonly _tag: "Submit"; readonly at: number }
  /** The application passes intake: 轮候转申请成功, leaves the queue (R47). */
  | { readonly _tag: "Approve"; readonly at: number }
  /** 自愿放弃 (R29, R165): from 轮候中 or 待审核. */
  | { readonly _tag: "Abandon"; readonly at: number }
  /** Rollback of the submitted application (R30): back to 待申请, a new 24-h window from `at`. */
  | { readonly _tag: "Rollback"; readonly at: number }
  /** Forced removal (轮候解除, R48: income over the limit, bought a home, false information). */
  | { readonly _tag: "Remove"; readonly at: number; readonly reason: string }
  /** Only observes the clock: applies a timeout that has passed. */
  | { readonly _tag: "Tick"; readonly at: number }

export type Effect =
  /** The unit slot is given back to the project × unit type (inventory Abandon/Reject). */
  | "restoreUnits"
  /** R44: the 办件库 submission is cancelled. */
  | "cancelSubmission"

export type Refusal = "terminal" | "clock-went-back" | "not-allowed" | "timed-out"

export interface Step {
  readonly entry: BaozuQueueEntry
  /** Whether the event itself took effect (a Tick is always accepted). */
  readonly accepted: boolean
  readonly refusal?: Refusal
  readonly effects: ReadonlyArray<Effect>
}

export const join = (at: number): BaozuQueueEntry => ({ status: "waiting", at })

export const deadlineOf = (e: BaozuQueueEntry, w: Windows = DEFAULT_WINDOWS): number | undefined =>
  e.windowStart === undefined
    ? undefined
    : e.status === "offered"
      ? e.windowStart + w.openMs
      : e.status === "applying"
        ? e.windowStart + w.submitMs
        : undefined

const refuse = (entry: BaozuQueueEntry, refusal: Refusal, effects: ReadonlyArray<Effect> = []): Step => ({
  entry,
  accepted: false,
  refusal,
  effects,
})
const move = (from: BaozuQueueEntry, status: BaozuQueueStatus, at: number, windowStart?: number): Step => ({
  entry: windowStart === undefined ? { status, at } : { status, at, windowStart },
  accepted: true,
  effects: TERMINAL.has(status) && HOLDS_SLOT.has(from.status) ? ["restoreUnits"] : [],
})

/** Applies one event. A refused event returns the entry unchanged, except that a passed deadline still times it out. */
export const step = (entry: BaozuQueueEntry, event: BaozuQueueEvent, w: Windows = DEFAULT_WINDOWS): Step => {
  if (TERMINAL.has(entry.status)) return refuse(entry, "terminal")
  if (event.at < entry.at) return refuse(entry, "clock-went-back")
  const deadline = deadlineOf(entry, w)
  if (deadline !== undefined && event.at > deadline) {
    // R43/R44: past the window the form is blocked (or the submission refused) and the entry is 超时放弃.
    const timedOut: BaozuQueueEntry = { status: "timedOut", at: deadline }
    const effects: Array<Effect> = ["restoreUnits"]
    if (entry.status === "applying") effects.push("cancelSubmission")
    return event._tag === "Tick"
      ? { entry: timedOut, accepted: true, effects }
      : refuse(timedOut, "timed-out", effects)
  }
  const { at } = event
  switch (event._tag) {
    case "Tick":
      return { entry, accepted: true, effects: [] }
    case "Offer":
      return entry.status === "waiting" ? move(entry, "offered", at, at) : refuse(entry, "not-allowed")
    case "OpenForm":
      return entry.status === "offered" ? move(entry, "applying", at, at) : refuse(entry, "not-allowed")
    case "Submit":
      return entry.status === "applying" ? move(entry, "pendingReview", at) : refuse(entry, "not-allowed")
    case "Approve":
      return entry.status === "pendingReview" ? move(entry, "converted", at) : refuse(entry, "not-allowed")
    case "Rollback":
      return entry.status === "pendingReview" ? move(entry, "offered", at, at) : refuse(entry, "not-allowed")
    case "Abandon":
      return entry.status === "waiting" || entry.status === "pendingReview"
        ? move(entry, "abandoned", at)
        : refuse(entry, "not-allowed")
    case "Remove":
      return move(entry, "removed", at)
  }
}

/** Replays events from joining; returns every step. */
export const replay = (
  joinedAt: number,
  events: ReadonlyArray<BaozuQueueEvent>,
  w: Windows = DEFAULT_WINDOWS,
): ReadonlyArray<Step> => {
  const steps: Array<Step> = []
  let e = join(joinedAt)
  for (const ev of events) {
    const s = step(e, ev, w)
    steps.push(s)
    e = s.entry
  }
  return steps
}
