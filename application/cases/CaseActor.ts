/**
 * Actors (操作主体) and their data scope for qualification cases: city officer (市级) sees all; district
 * officer (区级) only its district; operating-company officer (运营机构) only its projects (R67); an
 * applicant only their own cases (by the blind index of their ID number); a system (other government
 * system, API key) the districts it was granted. Pure functions; every use-case calls them.
 */
import { COMMAND_TYPES, type CaseCommandType } from "../../domain/cases/CaseMachine.js"
import { type Actor, hasPermission } from "../../domain/access/Access.js"
import type { IntakeChannel } from "../../domain/cases/Case.js"

export type { Actor, ActorRole } from "../../domain/access/Access.js"

export interface ScopedCase {
  readonly district: string
  readonly projectId: string | null
  /** Blind index of the main applicant's ID number. */
  readonly applicantIndex: string | undefined
}

export const canSee = (actor: Actor, c: ScopedCase): boolean => {
  switch (actor.role) {
    case "city":
      return true
    case "district":
      return c.district === actor.district
    case "operator":
      return c.projectId !== null && actor.projectIds.includes(c.projectId)
    case "applicant":
      return c.applicantIndex !== undefined && c.applicantIndex === actor.idIndex
    case "system":
      return actor.districts === "all" || actor.districts.includes(c.district)
    case "propertyArea":
    case "household":
      return false
  }
}

/** Officers may run every workflow command except deleting a draft (the applicant's own act). */
const OFFICER: ReadonlyArray<CaseCommandType> = COMMAND_TYPES.filter((c) => c !== "delete")

/** Which commands a role may issue at all (scope is checked separately). R70: only the city deletes. */
export const mayCommand = (actor: Actor, command: CaseCommandType | "verify"): boolean => {
  if (!hasPermission(actor, command === "verify" ? "cases.verify" : "cases.command")) return false
  switch (actor.role) {
    case "city":
      return true
    case "district":
      return command === "verify" || OFFICER.includes(command)
    case "operator":
      return command === "verify" || (OFFICER.includes(command) && command !== "cancel")
    case "applicant":
      return command === "submitSupplement" || command === "abandon"
    case "system":
      return ["tick", "recordCheck", "passPreReview", "failPreReview", "signIn", "verify"].includes(command)
    case "propertyArea":
    case "household":
      return false
  }
}

/** Which intake paths a role may open: online (办件库 pull) and window pushes come from systems. */
export const mayOpen = (actor: Actor, channel: IntakeChannel): boolean => {
  if (!hasPermission(actor, "cases.open")) return false
  switch (actor.role) {
    case "system":
      return channel === "online" || channel === "window"
    case "applicant":
      return channel === "online"
    case "propertyArea":
    case "household":
      return false
    default:
      return channel === "offline"
  }
}
