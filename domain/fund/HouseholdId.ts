/**
 * Household (分户) identifier: the key of a household sub-account (分户账) in the fund, one per door
 * number (M13, M173). A non-empty string; wherever a tie is broken by id (M176) ids are compared in
 * UTF-16 code-unit order, never by locale.
 */
import { Schema } from "effect"

export const HouseholdId = Schema.NonEmptyString.pipe(Schema.brand("HouseholdId"))
export type HouseholdId = typeof HouseholdId.Type

/** Code-unit order of ids (`"H10" < "H2"`), the one tie-break every allocation in the fund uses. */
export const compareIds = (a: string, b: string): -1 | 0 | 1 => (a < b ? -1 : a > b ? 1 : 0)
