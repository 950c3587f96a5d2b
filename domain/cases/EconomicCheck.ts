/**
 * Economic verification (经济核对) life cycle with the civil-affairs verification centre (R83, R169):
 * 委托 entrusted → 中止 suspended → 继续 (back to entrusted) | withdrawn; 延期 extends while entrusted;
 * 终止 only between entrustment and the report; 出具报告 → pass | fail. Pure; each step is logged with
 * R84's operation names and a `yyyy-mm-dd 00:00:00` time.
 */
import { Data, Result } from "effect"
import * as CivilDate from "../values/CivilDate.js"

export type EconomicCheckState =
  | "entrusted"
  | "suspended"
  | "withdrawn"
  | "terminated"
  | "report_passed"
  | "report_failed"

export type EconomicCheckStep =
  | { readonly type: "suspend"; readonly reason: string }
  | { readonly type: "continue"; readonly notice: string; readonly reason: string }
  | { readonly type: "withdraw" }
  | { readonly type: "extend"; readonly until: CivilDate.CivilDate }
  | { readonly type: "terminate"; readonly reason: string }
  | { readonly type: "report"; readonly passed: boolean; readonly reportRef: string }

/** R84 operation types. */
export const OPERATION_NAMES: Readonly<Record<EconomicCheckStep["type"] | "entrust", string>> = {
  entrust: "委托经济核对",
  suspend: "接收中止核对",
  continue: "发送继续核对",
  extend: "发送延期核对",
  terminate: "发送终止核对",
  report: "读取经济核对报告",
  withdraw: "撤回案件",
}

export interface EconomicCheck {
  readonly state: EconomicCheckState
  readonly periodUntil: CivilDate.CivilDate
  readonly log: ReadonlyArray<{ readonly operation: string; readonly time: string }>
}

export class EconomicCheckRefused extends Data.TaggedError("EconomicCheckRefused")<{
  readonly state: EconomicCheckState
  readonly step: EconomicCheckStep["type"]
  readonly message: string
}> {}

/** R84: `yyyy-mm-dd 00:00:00`. */
export const logTime = (now: number): string => `${CivilDate.fromInstant(now)} 00:00:00`

export const entrust = (periodUntil: CivilDate.CivilDate, now: number): EconomicCheck => ({
  state: "entrusted",
  periodUntil,
  log: [{ operation: OPERATION_NAMES.entrust, time: logTime(now) }],
})

const allowed: Readonly<Record<EconomicCheckStep["type"], ReadonlyArray<EconomicCheckState>>> = {
  suspend: ["entrusted"],
  continue: ["suspended"],
  withdraw: ["suspended"],
  extend: ["entrusted"],
  terminate: ["entrusted", "suspended"],
  report: ["entrusted"],
}

export const step = (
  check: EconomicCheck,
  s: EconomicCheckStep,
  now: number,
): Result.Result<EconomicCheck, EconomicCheckRefused> => {
  if (!allowed[s.type].includes(check.state))
    return Result.fail(
      new EconomicCheckRefused({
        state: check.state,
        step: s.type,
        message: `${OPERATION_NAMES[s.type]} is not allowed while the check is ${check.state}`,
      }),
    )
  if (s.type === "extend" && s.until <= check.periodUntil)
    return Result.fail(
      new EconomicCheckRefused({
        state: check.state,
        step: s.type,
        message: "an extension must move the end later",
      }),
    )
  const next: EconomicCheckState =
    s.type === "suspend"
      ? "suspended"
      : s.type === "continue" || s.type === "extend"
        ? "entrusted"
        : s.type === "withdraw"
          ? "withdrawn"
          : s.type === "terminate"
            ? "terminated"
            : s.passed
              ? "report_passed"
              : "report_failed"
  return Result.succeed({
    state: next,
    periodUntil: s.type === "extend" ? s.until : check.periodUntil,
    log: [...check.log, { operation: OPERATION_NAMES[s.type], time: logTime(now) }],
  })
}
