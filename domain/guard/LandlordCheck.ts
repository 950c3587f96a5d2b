/**
 * R21 one house leased to several (一房多租): when a 廉租 lease is entered, a landlord (出租人) who is
 * already landlord for another 廉租 tenant case → yellow; if one of those leases is still within its
 * contract period at the new lease's start or overlaps it ("在有效合同期限内重复出现") → orange.
 * Reading documented in docs/policy.md: "duplicate" = the same landlord ID on another tenant case.
 */
import type { ParameterReader } from "../policy/ParameterReader.js"
import { makeWarning } from "./ApplicationChecks.js"
import type { CaseHistory } from "./CaseHistory.js"
import type { LeaseEnteredEvent } from "./GuardEvent.js"
import type { GuardWarning } from "./GuardWarning.js"

export const r21OneHouseManyLeases = (
  history: CaseHistory,
  event: LeaseEnteredEvent,
  reader: ParameterReader,
): ReadonlyArray<GuardWarning> => {
  const lease = event.lease
  const lianzuCases = new Set(history.cases.filter((c) => c.kind === "lianzu").map((c) => c.caseId))
  const earlier = (history.leases ?? []).filter(
    (l) =>
      l.leaseId !== lease.leaseId &&
      l.landlordId === lease.landlordId &&
      l.tenantCaseId !== lease.tenantCaseId &&
      lianzuCases.has(l.tenantCaseId),
  )
  if (earlier.length === 0) return []
  const overlapping = earlier.filter((l) => l.from <= lease.to && lease.from <= l.to)
  const level = overlapping.length > 0 ? "orange" : "yellow"
  return [
    makeWarning(
      reader,
      "R21",
      level,
      lease.landlordId,
      level === "orange" ? "出租人在有效合同期限内重复出现" : "出租人与廉租对象重复",
      {
        newLease: lease.leaseId,
        otherLeases: earlier.map((l) => l.leaseId).join(","),
        overlapping: overlapping.map((l) => `${l.leaseId}:${l.from}..${l.to}`).join(","),
      },
    ),
  ]
}
