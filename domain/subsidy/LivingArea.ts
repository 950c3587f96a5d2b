/**
 * R123 per-capita living area (人均居住面积) of 市筹大居转化及公积金 in-kind families: "建筑面积/2=居住面积，
 * 再除以核定面积人数=人均居住面积". The divisor is the parameter subsidy.r123.building_to_living_divisor.
 * Results are in 0.01 m², rounded half-even once at the end; comparisons elsewhere use exact products.
 */
import type * as Area from "../values/Area.js"
import * as Money from "../values/Money.js"

/** Living area = building area ÷ divisor, rounded half-even to 0.01 m². */
export const livingArea = (building: Area.Area, divisor: number): Area.Area =>
  Number(Money.divideRounded(BigInt(building), BigInt(Math.max(1, divisor)), "half-even")) as Area.Area

/** Per-capita living area = building ÷ divisor ÷ approved persons, one half-even rounding to 0.01 m². */
export const perCapitaLivingArea = (building: Area.Area, divisor: number, persons: number): Area.Area =>
  Number(
    Money.divideRounded(
      BigInt(building),
      BigInt(Math.max(1, divisor)) * BigInt(Math.max(1, persons)),
      "half-even",
    ),
  ) as Area.Area
