/**
 * Unit status (房源状态) and its transitions. 待发布 draft → 已发布/可租 available → 已租/已选 let;
 * 锁定 locked remembers the status it interrupts (R37); 不可使用 unusable after an exit until it is
 * handled (R38). `supplied` records that a unit was ever let, which freezes its kind (R40).
 * R37 as settled (docs/allocation.md): only a unit that could still be let (draft or available) is
 * locked, and unlocking restores exactly that status.
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

/** The statuses a lock may interrupt (R37): a lock stops letting, so only a not-yet-let unit is locked. */
export const LOCKABLE_STATUSES = ["draft", "available"] as const
export const LockableStatus = Schema.Literals(LOCKABLE_STATUSES).annotate({
  description: "the status a lock interrupted (R37): draft 待发布 | available 已发布/可租",
})
export type LockableStatus = typeof LockableStatus.Type
export const isLockable = (s: UnitStatus): s is LockableStatus => s === "draft" || s === "available"
