/**
 * Access model (权限与数据范围), seed 003 #219–#232: an actor is who acts, with a data scope (city,
 * district, operating company, property management area, household, applicant, or a system's districts)
 * and a set of permissions, one per kind of operation. Roles (角色) are named permission sets; a user's
 * permissions are the union of their roles'. Pure: no I/O. Invariant: an actor without a permission can
 * never be granted the operation by its scope, and a scope never widens a permission.
 */

/** Every operation kind a route or use-case can require. Adding one is a deliberate act: list it here. */
export const PERMISSIONS = [
  "stock.read",
  "stock.write",
  "stock.import",
  "cases.read",
  "cases.open",
  "cases.command",
  "cases.verify",
  "cases.lookup",
  "lottery.read",
  "lottery.manage",
  /** Waiting queues (轮候): offer a unit (申请审核), approve or roll back a 保租 application window. */
  "queue.manage",
  /** House selection (选房, R54): open a round's session, check in, pre-select, choose, skip, release, status. */
  "selection.manage",
  /** 廉租 rent subsidy (R118–R123): read payout lines and district totals. */
  "subsidy.read",
  /** 廉租 rent subsidy (R120): confirm a district's month, pause/resume, special payouts, housing data. */
  "subsidy.manage",
  /** R24 warning list (警示名单): read the warnings of the actor's districts (R85: shown at login). */
  "warnings.read",
  /** R24: resolve (处置) a warning with a reason, kept in its trail. */
  "warnings.manage",
  /** Lease contracts (网签备案, R89–R107): read contracts in scope (a tenant: their own). */
  "contract.read",
  /** Lease contracts: draft, sign, register, revoke, renew, move out, exchange, exit; clauses and violations. */
  "contract.manage",
  /** R98: print the registration notice (备案通知书); granted per operator through roles. */
  "contract.print",
  "fund.read",
  "fund.write",
  "identity.manage",
  "audit.read",
  /** Reading /metrics (queue depth, job latency, request counts); the city scope's default only. */
  "ops.metrics",
] as const
export type Permission = (typeof PERMISSIONS)[number]

export const isPermission = (s: string): s is Permission => (PERMISSIONS as ReadonlyArray<string>).includes(s)

/**
 * The actor: scope by `role` (the kind of data scope), plus `permissions`. When `permissions` is absent
 * (static token tables, older callers) the scope kind's defaults apply (`DEFAULT_PERMISSIONS`).
 */
export type Actor = (
  | { readonly role: "city"; readonly id: string }
  | { readonly role: "district"; readonly id: string; readonly district: string }
  | { readonly role: "operator"; readonly id: string; readonly projectIds: ReadonlyArray<string> }
  /** Property management area (物业管理区域) of the maintenance fund: owners' committee, property company. */
  | { readonly role: "propertyArea"; readonly id: string; readonly areaIds: ReadonlyArray<string> }
  /** A fund household (业主): their own accounts only. */
  | { readonly role: "household"; readonly id: string; readonly householdIds: ReadonlyArray<string> }
  /** `idIndex`: FieldCipher blind index of the applicant's ID number, set by the verifier. */
  | { readonly role: "applicant"; readonly id: string; readonly idIndex: string }
  | { readonly role: "system"; readonly id: string; readonly districts: "all" | ReadonlyArray<string> }
) & { readonly permissions?: ReadonlyArray<Permission> }

export type ActorRole = Actor["role"]
export const ACTOR_ROLES: ReadonlyArray<ActorRole> = [
  "city",
  "district",
  "operator",
  "propertyArea",
  "household",
  "applicant",
  "system",
]

const OFFICER: ReadonlyArray<Permission> = [
  "stock.read",
  "stock.write",
  "stock.import",
  "cases.read",
  "cases.open",
  "cases.command",
  "cases.verify",
  "cases.lookup",
  "lottery.read",
  "lottery.manage",
  "queue.manage",
  "selection.manage",
  "subsidy.read",
  "subsidy.manage",
  "warnings.read",
  "warnings.manage",
  "contract.read",
  "contract.manage",
  "contract.print",
  "fund.read",
]

/** What each scope kind may do when no role table says otherwise (static tokens, demo). */
export const DEFAULT_PERMISSIONS: Readonly<Record<ActorRole, ReadonlyArray<Permission>>> = {
  city: [...OFFICER, "fund.write", "identity.manage", "audit.read", "ops.metrics"],
  district: OFFICER,
  operator: OFFICER.filter(
    (p) => p !== "lottery.manage" && !p.startsWith("subsidy.") && !p.startsWith("warnings."),
  ),
  propertyArea: ["fund.read", "stock.read"],
  household: ["fund.read"],
  applicant: ["cases.read", "cases.open", "cases.command", "lottery.read", "contract.read"],
  system: [
    "stock.read",
    "cases.read",
    "cases.open",
    "cases.command",
    "cases.verify",
    "lottery.read",
    "fund.read",
  ],
}

export const permissionsOf = (actor: Actor): ReadonlyArray<Permission> =>
  actor.permissions ?? DEFAULT_PERMISSIONS[actor.role]

export const hasPermission = (actor: Actor, permission: Permission): boolean =>
  permissionsOf(actor).includes(permission)

/** Where a housing-stock object or case sits, for scope checks. `projectId` null: not tied to a project. */
export interface StockScope {
  readonly district: string
  readonly projectId: string | null
}

/**
 * Whether the actor's data scope covers an object of the housing side (project, building, unit, case).
 * Fund-only scopes (property area, household) cover none of it; applicants are checked by their cases.
 */
export const coversStock = (actor: Actor, s: StockScope): boolean => {
  switch (actor.role) {
    case "city":
      return true
    case "district":
      return s.district === actor.district
    case "operator":
      return s.projectId !== null && actor.projectIds.includes(s.projectId)
    case "system":
      return actor.districts === "all" || actor.districts.includes(s.district)
    case "propertyArea":
    case "household":
    case "applicant":
      return false
  }
}
