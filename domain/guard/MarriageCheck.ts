/**
 * R19 marriage control (婚姻核查年限控制), 廉租 and 共有产权 applications: "结婚不满一年，离婚不满三年的，
 * 自申请之月当月为截止期" → red + hard block. Counted in calendar months: elapsed = month index of
 * the application − month index of the event (the day of month is ignored; the application month ends
 * the count). Fires when elapsed < 12 × years. Married 2025-03-xx: an application in 2026-02 (11)
 * fires, one in 2026-03 (12) does not. Events after the application date are not counted.
 */
import { Result } from "effect"
import type { ParameterNotFound, ParameterReader } from "../policy/ParameterReader.js"
import * as CivilDate from "../values/CivilDate.js"
import { makeWarning } from "./ApplicationChecks.js"
import type { ApplicationEvent } from "./GuardEvent.js"
import { GuardParameters } from "./GuardParameters.js"
import type { GuardWarning } from "./GuardWarning.js"

/** Calendar months from the event's month to the application's month (R19's counting rule). */
export const monthsElapsed = (event: CivilDate.CivilDate, application: CivilDate.CivilDate): number => {
  const a = CivilDate.toYmd(event)
  const b = CivilDate.toYmd(application)
  return (b.year - a.year) * 12 + (b.month - a.month)
}

export const r19Marriage = (
  event: ApplicationEvent,
  reader: ParameterReader,
): Result.Result<ReadonlyArray<GuardWarning>, ParameterNotFound> =>
  Result.gen(function* () {
    if (event.kind !== "lianzu" && event.kind !== "gongyou") return []
    const withEvents = event.members.filter((m) => (m.marital ?? []).some((e) => e.on <= event.on))
    if (withEvents.length === 0) return []
    const r = reader.child()
    const marriedYears = yield* r.read(GuardParameters.r19MarriedYears)
    const divorcedYears = yield* r.read(GuardParameters.r19DivorcedYears)
    return withEvents.flatMap((m) =>
      (m.marital ?? [])
        .filter((e) => e.on <= event.on)
        .flatMap((e) => {
          const elapsed = monthsElapsed(e.on, event.on)
          const limit = 12 * (e.event === "married" ? marriedYears : divorcedYears)
          if (elapsed >= limit) return []
          const what = e.event === "married" ? "结婚不满" : "离婚不满"
          return [
            makeWarning(
              r,
              "R19",
              "red",
              m.id,
              `${what}${limit / 12}年: ${e.event} on ${e.on}, ${elapsed} months counted to the application month`,
              {
                maritalEvent: e.event,
                eventOn: e.on,
                applicationOn: event.on,
                monthsCounted: String(elapsed),
                limitMonths: String(limit),
              },
            ),
          ]
        }),
    )
  })
