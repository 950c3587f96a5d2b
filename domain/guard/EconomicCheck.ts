/**
 * R18 economic control (经济核查准入控制), 廉租 applications only: per-head annual disposable income
 * (人均年可支配收入) or per-head property (人均财产) strictly above the limit → red + hard block.
 * Households of `large_household_min_size` (3) or more use the large limits; smaller households and
 * certified illness-poverty households (因病支出型贫困家庭) the small ones. Exact: total > limit × size,
 * so no per-head rounding can move a household across the line; exactly at the limit never fires.
 */
import { Result } from "effect"
import type { ParameterNotFound, ParameterReader } from "../policy/ParameterReader.js"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import * as Money from "../values/Money.js"
import { applicantsOf, makeWarning } from "./ApplicationChecks.js"
import type { ApplicationEvent } from "./GuardEvent.js"
import { GuardParameters } from "./GuardParameters.js"
import type { GuardWarning } from "./GuardWarning.js"

const perHead = (total: Money.Money, size: number): string =>
  Money.format(Money.unsafeFen(Number(Money.divideRounded(BigInt(total), BigInt(size), "half-up"))))

export const r18Economic = (
  event: ApplicationEvent,
  reader: ParameterReader,
): Result.Result<ReadonlyArray<GuardWarning>, ParameterNotFound | InvalidValue> =>
  Result.gen(function* () {
    if (event.kind !== "lianzu") return []
    const economy = event.economy
    if (economy === undefined)
      return yield* Result.fail(
        invalid(
          "event.economy",
          "R18.economy-required",
          "",
          "a 廉租 application needs household income and property (R18)",
        ),
      )
    const r = reader.child()
    const minLarge = yield* r.read(GuardParameters.r18LargeHouseholdMinSize)
    const large = economy.householdSize >= minLarge && economy.illnessPoverty !== true
    const incomeLimit = yield* r.read(
      large ? GuardParameters.r18IncomeLimitLarge : GuardParameters.r18IncomeLimitSmall,
    )
    const propertyLimit = yield* r.read(
      large ? GuardParameters.r18PropertyLimitLarge : GuardParameters.r18PropertyLimitSmall,
    )
    const size = BigInt(economy.householdSize)
    const person = applicantsOf(event)[0] ?? event.members[0]?.id ?? ""
    const band = large
      ? "large household (3人及以上)"
      : economy.illnessPoverty === true
        ? "illness-poverty household"
        : "small household (2人及以下)"
    const out: Array<GuardWarning> = []
    if (BigInt(economy.annualDisposableIncome) > BigInt(incomeLimit) * size)
      out.push(
        makeWarning(
          r,
          "R18",
          "red",
          person,
          `人均年可支配收入 ${perHead(economy.annualDisposableIncome, economy.householdSize)} > ${Money.format(incomeLimit)} (${band})`,
          {
            measure: "income",
            householdSize: String(economy.householdSize),
            total: Money.format(economy.annualDisposableIncome),
            perHead: perHead(economy.annualDisposableIncome, economy.householdSize),
            limitPerHead: Money.format(incomeLimit),
            band,
          },
        ),
      )
    if (BigInt(economy.property) > BigInt(propertyLimit) * size)
      out.push(
        makeWarning(
          r,
          "R18",
          "red",
          person,
          `人均财产 ${perHead(economy.property, economy.householdSize)} > ${Money.format(propertyLimit)} (${band})`,
          {
            measure: "property",
            householdSize: String(economy.householdSize),
            total: Money.format(economy.property),
            perHead: perHead(economy.property, economy.householdSize),
            limitPerHead: Money.format(propertyLimit),
            band,
          },
        ),
      )
    return out
  })
