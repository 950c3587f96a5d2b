/**
 * Unit status (房源状态) and its transitions. 待发布 draft → 已发布/可租 available → 已租/已选 let;
 * 锁定 locked remembers the status it interrupts (R37); 不可使用 unusable after an exit until it is
 * handled (R38). `supplied` records that a unit was ever let, which freezes its kind (R40).
 */
import { Schema } from "effect"

export const UNIT_STATUSES = ["draft", "available", "let", "locked", "unusable"] as const
export const UnitStatus = Schema.Literals(UNIT_STATUSES).annotate({
  description: "draft 待发布 | available 已发布/可租 | let 已租/已选 | locked 锁定 | unusable 不可使用",
})
export type UnitStatus = typeof UnitStatus.Type

export const UNIT_STATUS_LABELS: Record<UnitStatus, string> = {
  draft: "待发布",
  available: "已发布/可租",
  let: "已租/已选",
  locked: "锁定",
  unusable: "不可使用",
}
