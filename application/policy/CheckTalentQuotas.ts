/**
 * Use-case: R130 talent-apartment quota check (人才公寓筹集指标配额) — per year the districts' A/B quotas
 * must add up to the city totals; returns every mismatch with the parameters it used.
 */
import { Effect } from "effect"
import { type QuotaCheck, type QuotaPlan, checkQuotas } from "../../domain/talent/TalentQuota.js"
import { allTalentParameters } from "../../domain/talent/TalentParameters.js"
import * as CivilDate from "../../domain/values/CivilDate.js"
import { invalid } from "../../domain/values/InvalidValue.js"
import { loadPolicyTable } from "./LoadPolicyTable.js"

export const checkTalentQuotas = Effect.fn("Policy.checkTalentQuotas")(function* (plan: QuotaPlan) {
  const on = yield* Effect.fromResult(CivilDate.fromYmd(plan.year, 1, 1, "year")).pipe(
    Effect.mapError(() => invalid("year", "R130.year", plan.year, "expected a calendar year")),
  )
  const table = yield* loadPolicyTable(allTalentParameters)
  const check: QuotaCheck = yield* Effect.fromResult(checkQuotas(plan, table.reader({ on })))
  return check
})
