/**
 * Authorisation of the housing-stock use-cases (权限与数据范围, seed 003 #219–#232): the permission each
 * operation needs, whether an actor's data scope covers a project, and the sanity limits of money and
 * area that no request may exceed. Out-of-scope objects are reported exactly as missing ones by the
 * use-cases (no oracle of what exists in another district); a missing permission is `AccessDenied`.
 */
import type { Actor } from "../../domain/access/Access.js"
import { coversStock } from "../../domain/access/Access.js"
import type { Project } from "../../domain/stock/Stock.js"

export { AccessDenied, requirePermission } from "../access/AccessDenied.js"

/** Whether the actor's scope covers a project (and so its buildings and units). */
export const coversProject = (actor: Actor, p: Pick<Project, "id" | "district">): boolean =>
  coversStock(actor, { district: p.district, projectId: p.id })

/**
 * Sanity limits (not policy): values beyond them are typing errors, and they keep every stored number
 * inside the database's integer columns. Money in fen, area in 0.01 m².
 */
export const STOCK_LIMITS = {
  /** ¥1,000,000 a month. */
  maxMonthlyRentFen: 100_000_000,
  /** 10,000 m² for one unit. */
  maxUnitAreaHundredths: 1_000_000,
} as const

/**
 * The authority of local tools run by whoever holds the machine (CLI import, demo seeding, readiness
 * probes, benchmarks): city scope with the default permissions. Never derived from a network request.
 */
export const LOCAL_AUTHORITY: Actor = { role: "city", id: "local" }
