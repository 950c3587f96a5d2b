/**
 * R16/R17: rental-kind beneficiaries (租赁型保障房享受对象) moving to 共有产权. Ladder (R16): application
 * yellow (ApplicationChecks), 登录资格 orange, 网上公示 → 登录备案 prompt (kept at orange), purchase
 * signed brown (R17 says brown for every purchase). Handover (交付) + `delivery_months` (满三个月, i.e.
 * on or after handover + 3 months) while still enjoying rental housing: R16 says red + block, R17
 * says brown + exit reminder; `guard.r16_r17.delivery_level` chooses.
 */
import { Result } from "effect"
import type { ParameterNotFound, ParameterReader } from "../policy/ParameterReader.js"
import * as CivilDate from "../values/CivilDate.js"
import { makeWarning, rentalEnjoyed } from "./ApplicationChecks.js"
import type { CaseHistory } from "./CaseHistory.js"
import { isMemberOf } from "./CaseHistory.js"
import type { GongyouMilestoneEvent } from "./GuardEvent.js"
import { GuardParameters } from "./GuardParameters.js"
import type { GuardWarning } from "./GuardWarning.js"

export const r16r17Milestone = (
  history: CaseHistory,
  event: GongyouMilestoneEvent,
  reader: ParameterReader,
): Result.Result<ReadonlyArray<GuardWarning>, ParameterNotFound> =>
  Result.gen(function* () {
    const r = reader.child()
    const enjoyed = yield* rentalEnjoyed(history, event.person, r)
    const rentalCases = enjoyed.map((c) => c.caseId).join(",")
    const evidence = {
      milestone: event.milestone,
      ...(event.caseId === undefined ? {} : { gongyouCase: event.caseId }),
      rentalCases,
    }
    switch (event.milestone) {
      case "login_qualified":
        return enjoyed.length === 0
          ? []
          : [
              makeWarning(
                r,
                "R16",
                "orange",
                event.person,
                "租赁型保障房享受对象取得共有产权登录资格",
                evidence,
              ),
            ]
      case "publicity_submitted":
        return enjoyed.length === 0
          ? []
          : [
              makeWarning(
                r,
                "R16",
                "orange",
                event.person,
                "提示: 网上公示提交登录备案 — rental-kind beneficiary (prompt; level stays orange)",
                evidence,
              ),
            ]
      case "purchase_signed":
        return enjoyed.length === 0
          ? [makeWarning(r, "R17", "brown", event.person, "完成共有产权保障住房购房", evidence)]
          : [
              makeWarning(
                r,
                "R16",
                "brown",
                event.person,
                "租赁型保障房享受对象完成共有产权购房签约",
                evidence,
                ["R17"],
              ),
            ]
    }
  })

/** Monitor run: 共有产权 houses handed over `delivery_months` ago while rental housing is still enjoyed. */
export const r16r17Delivery = (
  history: CaseHistory,
  person: string,
  on: CivilDate.CivilDate,
  reader: ParameterReader,
): Result.Result<ReadonlyArray<GuardWarning>, ParameterNotFound> =>
  Result.gen(function* () {
    const delivered = history.cases.filter(
      (c) =>
        c.kind === "gongyou" &&
        c.handoverOn !== undefined &&
        c.status === "contracted" &&
        isMemberOf(c, person),
    )
    if (delivered.length === 0) return []
    const r = reader.child()
    const enjoyed = yield* rentalEnjoyed(history, person, r)
    if (enjoyed.length === 0) return []
    const months = yield* r.read(GuardParameters.r16DeliveryMonths)
    const due = delivered.filter((c) => on >= CivilDate.addMonths(c.handoverOn!, months))
    if (due.length === 0) return []
    const level = yield* r.read(GuardParameters.r16r17DeliveryLevel)
    return due.map((c) =>
      makeWarning(
        r,
        level === "red" ? "R16" : "R17",
        level,
        person,
        `共有产权房源交付满${months}个月 (handover ${c.handoverOn}); 提醒租赁型保障房退出`,
        {
          gongyouCase: c.caseId,
          handoverOn: c.handoverOn!,
          dueOn: CivilDate.addMonths(c.handoverOn!, months),
          rentalCases: enjoyed.map((e) => e.caseId).join(","),
        },
        [level === "red" ? "R17" : "R16"],
      ),
    )
  })
