/**
 * Published entry point `anju/domain`: the pure domain kernel (value types, housing stock rules, …),
 * one namespace per module so names never collide.
 */
export * as Area from "./values/Area.js"
export * as CivilDate from "./values/CivilDate.js"
export * as InvalidValue from "./values/InvalidValue.js"
export * as MobileNumber from "./values/MobileNumber.js"
export * as Money from "./values/Money.js"
export * as ResidentIdNumber from "./values/ResidentIdNumber.js"
export * as UnifiedSocialCreditCode from "./values/UnifiedSocialCreditCode.js"
export * as Dictionaries from "./stock/Dictionaries.js"
export * as HousingKind from "./stock/HousingKind.js"
export * as PublicCode from "./stock/PublicCode.js"
export * as Stock from "./stock/Stock.js"
export * as StockImport from "./stock/StockImport.js"
export * as StockRules from "./stock/StockRules.js"
export * as Tabular from "./stock/Tabular.js"
export * as UnitStatus from "./stock/UnitStatus.js"
