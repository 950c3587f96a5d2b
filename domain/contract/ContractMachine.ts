/**
 * The contract machines (R166 保租, R167 general tenancy, R104/R105 共有产权) as pure functions: each takes the
 * contract, the command's data and the instant/day as arguments and returns the next contract (version + 1)
 * or a refusal naming field and rule. Invariants: a contract is registered (备案) at most once (only draft or
 * awaiting_tenant lead there, and registration sets `registeredAt` once); a unit is held by at most one
 * contract and its in-force intervals never overlap (`draft` checks the unit's other contracts); ending a
 * contract never reopens it. Unit status changes are the caller's, through StockRules (one unit model).
 */
import { Data, Result } from "effect"
import * as CivilDateM from "../values/CivilDate.js"
import type { CivilDate } from "../values/CivilDate.js"
import type { Money } from "../values/Money.js"
import * as MobileNumberM from "../values/MobileNumber.js"
import * as UsccM from "../values/UnifiedSocialCreditCode.js"
import type { HousingKind } from "../stock/HousingKind.js"
import {
  type ClauseRef,
  type ClauseStatus,
  type ClauseTemplate,
  type Contract,
  type ContractId,
  type ContractKind,
  type EndReason,
  holdsUnit,
  isGeneralTenancy,
  isGongyou,
  type Occupant,
  type Tenant,
  type Term,
  type Violation,
} from "./Contract.js"

export type { ClauseTemplate, Violation } from "./Contract.js"

/** `state`: the contract's (or unit's) current state forbids the command; `input`: the data is invalid. */
export type RefusalKind = "state" | "input"

export class ContractRefused extends Data.TaggedError("ContractRefused")<{
  readonly kind: RefusalKind
  readonly field: string
  readonly rule: string
  readonly message: string
}> {}

const refuse = (kind: RefusalKind, field: string, rule: string, message: string) =>
  Result.fail(new ContractRefused({ kind, field, rule, message }))

type Step = Result.Result<Contract, ContractRefused>

const next = (c: Contract, patch: Partial<Contract>): Contract => ({ ...c, ...patch, version: c.version + 1 })

const inState = (c: Contract, states: ReadonlyArray<Contract["state"]>, rule: string, what: string) =>
  states.includes(c.state)
    ? undefined
    : new ContractRefused({
        kind: "state",
        field: "state",
        rule,
        message: `${what} needs a contract in ${states.join(" or ")}; contract ${c.id} is ${c.state}`,
      })

// ---------------------------------------------------------------------------------------------
// In force (在期) intervals

/** The days a contract was or is in force, as day numbers [from, to]; null when never in force. */
export const inForceInterval = (c: Contract): { readonly from: number; readonly to: number } | null => {
  if (c.registeredAt === null) return null
  const from = CivilDateM.toDayNumber(c.term.start)
  const to = CivilDateM.toDayNumber(c.endedOn ?? c.term.end)
  return to < from ? null : { from, to }
}

export const inForceOn = (c: Contract, day: CivilDate): boolean => {
  const i = inForceInterval(c)
  const d = CivilDateM.toDayNumber(day)
  return i !== null && i.from <= d && d <= i.to
}

/** The last day any of these contracts is in force (day number), or null. */
export const lastInForceDay = (contracts: ReadonlyArray<Contract>): number | null =>
  contracts.reduce<number | null>((m, c) => {
    const i = inForceInterval(c)
    return i === null ? m : m === null ? i.to : Math.max(m, i.to)
  }, null)

// ---------------------------------------------------------------------------------------------
// Drafting (草签 / 签约)

/** R166/R167: which housing kinds a contract kind may let. */
export const kindFitsHousing = (k: ContractKind, h: HousingKind): boolean =>
  k === "baozu"
    ? h === "baozu" || h === "rencai"
    : k === "gongzu"
      ? h === "gongzu" || h === "rencai"
      : k === "lianzu"
        ? h === "lianzu" || h === "gongzu"
        : h === "gongyou"

export interface DraftInput {
  readonly id: ContractId
  readonly kind: ContractKind
  readonly projectId: string
  readonly district: string
  readonly unitId: string
  readonly unitType: string
  readonly binding: Contract["binding"]
  readonly tenant: Tenant
  readonly occupants: ReadonlyArray<Occupant>
  readonly term: Term
  readonly rent: Money
}

/** R106 "强制校验": every field of a corporate tenant present and well-formed. */
export const checkTenant = (t: Tenant): ContractRefused | undefined => {
  if (t.type === "person")
    return t.personIndex.length === 0 || t.caseId.length === 0
      ? new ContractRefused({
          kind: "input",
          field: "tenant",
          rule: "contract.tenant-person",
          message: "a person tenant names its case and its ID-number index",
        })
      : undefined
  for (const [f, v] of [
    ["name", t.name],
    ["contactName", t.contactName],
    ["address", t.address],
  ] as const)
    if (v.trim().length === 0)
      return new ContractRefused({
        kind: "input",
        field: `tenant.${f}`,
        rule: "R106.corporate-fields",
        message: `a corporate tenant's ${f} is required`,
      })
  if (Result.isFailure(UsccM.parse(t.uscc)))
    return new ContractRefused({
      kind: "input",
      field: "tenant.uscc",
      rule: "R106.corporate-fields",
      message: "a corporate tenant needs a valid unified social credit code (GB 32100)",
    })
  if (Result.isFailure(MobileNumberM.parse(t.contactPhone)) && !/^\d{3,4}-?\d{7,8}$/u.test(t.contactPhone))
    return new ContractRefused({
      kind: "input",
      field: "tenant.contactPhone",
      rule: "R106.corporate-fields",
      message: "a corporate tenant's contact phone is a mobile number or a landline",
    })
  return undefined
}

const checkOccupants = (tenant: Tenant, occupants: ReadonlyArray<Occupant>): ContractRefused | undefined => {
  const current = occupants.filter((o) => o.leftOn === null)
  const mains = current.filter((o) => o.role === "main")
  const ids = new Set(current.map((o) => o.personIndex))
  if (ids.size !== current.length)
    return new ContractRefused({
      kind: "input",
      field: "occupants",
      rule: "contract.occupants-unique",
      message: "a person is listed once among the occupants",
    })
  if (tenant.type === "person" && (mains.length !== 1 || mains[0]!.personIndex !== tenant.personIndex))
    return new ContractRefused({
      kind: "input",
      field: "occupants",
      rule: "R101.one-main-tenant",
      message: "a person contract has exactly one main tenant (主承租人), the tenant",
    })
  if (tenant.type === "corporate" && mains.length > 1)
    return new ContractRefused({
      kind: "input",
      field: "occupants",
      rule: "R101.one-main-tenant",
      message: "a unit contract has at most one main tenant (主承租人)",
    })
  return undefined
}

/**
 * A new draft (草签 R166 / 签约 R167). R91: `term.start` ≥ today − 30 days. The unit must not be held by
 * another contract, and the term must start after the last day any earlier contract of the unit is in
 * force (a unit has at most one contract in force on any day). `unitContracts`: every stored contract of
 * the unit.
 */
export const draft = (
  input: DraftInput,
  ctx: {
    readonly today: CivilDate
    readonly at: number
    readonly actor: string
    readonly unitContracts: ReadonlyArray<Contract>
  },
): Step => {
  if (input.term.end < input.term.start)
    return refuse("input", "term.end", "contract.term-order", "the term ends before it starts")
  // R91: "严格限制合同开始日期不得超过当前日期前30个自然日".
  if (CivilDateM.daysBetween(input.term.start, ctx.today) > 30)
    return refuse(
      "input",
      "term.start",
      "R91.start-within-30-days",
      `the contract may start at most 30 days before today (${CivilDateM.addDays(ctx.today, -30)})`,
    )
  if (input.rent < 0) return refuse("input", "rent", "money.non-negative", "rent cannot be negative")
  const badTenant = checkTenant(input.tenant)
  if (badTenant !== undefined) return Result.fail(badTenant)
  const badOccupants = checkOccupants(input.tenant, input.occupants)
  if (badOccupants !== undefined) return Result.fail(badOccupants)
  const others = ctx.unitContracts.filter((c) => c.unitId === input.unitId && c.id !== input.id)
  const holder = others.find((c) => holdsUnit(c.state))
  if (holder !== undefined)
    return refuse(
      "state",
      "unitId",
      "contract.unit-held",
      `unit ${input.unitId} is held by contract ${holder.id} (${holder.state})`,
    )
  const last = lastInForceDay(others)
  if (last !== null && CivilDateM.toDayNumber(input.term.start) <= last)
    return refuse(
      "input",
      "term.start",
      "contract.one-in-force",
      `unit ${input.unitId} has a contract in force until ${CivilDateM.fromDayNumber(last)}`,
    )
  return Result.succeed({
    ...input,
    occupants: [...input.occupants],
    state: "draft",
    clauses: [],
    documentNumber: null,
    lessorFileDigest: null,
    signedFileDigest: null,
    tenantSignedAt: null,
    registrationNumber: null,
    registeredAt: null,
    endedOn: null,
    endReason: null,
    endedAt: null,
    predecessorId: null,
    successorId: null,
    noticePrints: 0,
    createdAt: ctx.at,
    createdBy: ctx.actor,
    version: 1,
  })
}

/** R91: the tenant of a draft may be swapped at any time; R92: not once it awaits the tenant's signature. */
export const swapTenant = (c: Contract, tenant: Tenant, occupants: ReadonlyArray<Occupant>): Step => {
  if (c.state === "awaiting_tenant")
    return refuse("state", "tenant", "R92.tenant-fixed", "乙方待签: the tenant can no longer be changed")
  const s = inState(c, ["draft"], "R91.swap-in-draft", "swapping the tenant")
  if (s !== undefined) return Result.fail(s)
  const bad = checkTenant(tenant) ?? checkOccupants(tenant, occupants)
  if (bad !== undefined) return Result.fail(bad)
  return Result.succeed(next(c, { tenant, occupants: [...occupants] }))
}

// ---------------------------------------------------------------------------------------------
// Supplementary clauses (补充条款, R94)

/** R94: clause-template review: submit (draft/rolled_back → submitted), approve, roll back (approved → rolled_back). */
export const reviewClause = (
  t: ClauseTemplate,
  action: "submit" | "approve" | "rollback",
): Result.Result<ClauseTemplate, ContractRefused> => {
  const from: Record<typeof action, ReadonlyArray<ClauseStatus>> = {
    submit: ["draft", "rolled_back"],
    approve: ["submitted"],
    rollback: ["approved", "submitted"],
  }
  const to: Record<typeof action, ClauseStatus> = {
    submit: "submitted",
    approve: "approved",
    rollback: "rolled_back",
  }
  return from[action].includes(t.status)
    ? Result.succeed({ ...t, status: to[action], version: t.version + 1 })
    : refuse("state", "status", "R94.clause-review", `cannot ${action} a clause template that is ${t.status}`)
}

/** R94: only approved templates (of the contract's kind) may be attached, and only to a draft. */
export const attachClauses = (c: Contract, templates: ReadonlyArray<ClauseTemplate>): Step => {
  const s = inState(c, ["draft"], "R94.clauses-in-draft", "attaching supplementary clauses")
  if (s !== undefined) return Result.fail(s)
  for (const t of templates) {
    if (t.status !== "approved")
      return refuse(
        "state",
        "clauses",
        "R94.approved-only",
        `clause template ${t.id} is not approved (${t.status})`,
      )
    if (t.kind !== null && t.kind !== c.kind)
      return refuse("input", "clauses", "R94.kind", `clause template ${t.id} is for ${t.kind} contracts`)
  }
  const refs: ReadonlyArray<ClauseRef> = templates.map((t) => ({ templateId: t.id, version: t.version }))
  return Result.succeed(next(c, { clauses: [...refs] }))
}

// ---------------------------------------------------------------------------------------------
// Signing and registration (备案)

/** R107: a registration: its unique number and the instant, kept to the second. */
export interface Registration {
  readonly number: string
  readonly at: number
}

const pad = (n: number, w: number) => String(n).padStart(w, "0")

/**
 * R107: the 备案号, `BA<district><yyyyMMddHHmmss Asia/Shanghai><4-digit serial>`: the registration time to
 * the second plus a serial the caller draws (the store's unique key settles collisions).
 */
export const registrationNumber = (district: string, at: number, serial: number): Registration => {
  const second = Math.floor(at / 1000) * 1000
  const local = new Date(second + CivilDateM.shanghaiOffsetMillis(second))
  const stamp =
    pad(local.getUTCFullYear(), 4) +
    pad(local.getUTCMonth() + 1, 2) +
    pad(local.getUTCDate(), 2) +
    pad(local.getUTCHours(), 2) +
    pad(local.getUTCMinutes(), 2) +
    pad(local.getUTCSeconds(), 2)
  return { number: `BA${district}${stamp}${pad(Math.abs(serial) % 10_000, 4)}`, at: second }
}

const registered = (c: Contract, reg: Registration, patch: Partial<Contract> = {}): Step =>
  c.registeredAt !== null
    ? refuse("state", "state", "R107.register-once", `contract ${c.id} is already registered`)
    : Result.succeed(
        next(c, {
          ...patch,
          state: "registered",
          registrationNumber: reg.number,
          registeredAt: Math.floor(reg.at / 1000) * 1000,
        }),
      )

/**
 * R92: the lessor stamped the contract document: draft → 乙方待签, the tenant fixed from now on.
 * `documentNumber` and `lessorFileDigest` come from the document/e-seal side (the seam).
 */
export const sendForSignature = (
  c: Contract,
  file: { readonly documentNumber: string; readonly lessorFileDigest: string },
): Step => {
  const s = inState(c, ["draft"], "R92.from-draft", "sending for the tenant's signature")
  if (s !== undefined) return Result.fail(s)
  if (file.documentNumber.length === 0 || file.lessorFileDigest.length === 0)
    return refuse(
      "input",
      "lessorFileDigest",
      "R92.lessor-stamped-file",
      "the lessor-stamped file is required",
    )
  return Result.succeed(next(c, { state: "awaiting_tenant", ...file }))
}

/**
 * R90: the tenant-signed file arrives: state check (乙方待签) and consistency check (the same document), the
 * signing time recorded, → 备案 with its registration number (R107).
 */
export const tenantSigned = (
  c: Contract,
  file: { readonly documentNumber: string; readonly signedFileDigest: string; readonly signedAt: number },
  reg: Registration,
): Step => {
  const s = inState(c, ["awaiting_tenant"], "R90.state-check", "uploading the tenant-signed file")
  if (s !== undefined) return Result.fail(s)
  if (file.documentNumber !== c.documentNumber)
    return refuse(
      "input",
      "documentNumber",
      "R90.consistency-check",
      "the signed file is not the document sent for signature",
    )
  if (file.signedFileDigest.length === 0)
    return refuse("input", "signedFileDigest", "R90.consistency-check", "the signed file digest is required")
  return registered(c, reg, { signedFileDigest: file.signedFileDigest, tenantSignedAt: file.signedAt })
}

/** R95 签订即备案 (保租) / R96 一键生效 (R167): a draft is registered at once, its notice due immediately. */
export const quickSign = (c: Contract, reg: Registration): Step => {
  const s = inState(c, ["draft"], "R95.quick-sign-from-draft", "quick signing")
  if (s !== undefined) return Result.fail(s)
  return registered(c, reg)
}

// ---------------------------------------------------------------------------------------------
// Ending

const ended = (c: Contract, state: Contract["state"], reason: EndReason, on: CivilDate, at: number) =>
  next(c, { state, endReason: reason, endedOn: on, endedAt: at })

/**
 * 合同撤销 (R166): a contract not completed (draft or 乙方待签) is revoked: person–house unbound, the caller
 * restores the unit. R104: a 共有产权 contract (also when registered) only after the registration API
 * confirmed "无有效产权信息" (`titleCheck`).
 */
export const revoke = (
  c: Contract,
  ctx: {
    readonly today: CivilDate
    readonly at: number
    readonly titleCheck?: "no-valid-title" | "valid-title"
  },
): Step => {
  if (isGongyou(c.kind)) {
    const s = inState(c, ["draft", "awaiting_tenant", "registered"], "R104.revoke", "revoking")
    if (s !== undefined) return Result.fail(s)
    if (ctx.titleCheck !== "no-valid-title")
      return refuse(
        "state",
        "titleCheck",
        "R104.no-valid-title",
        "a 共有产权 contract is revoked only after the registration centre confirms no valid title",
      )
    // A registered purchase contract that is revoked was in force until the day before.
    const on = c.registeredAt === null ? ctx.today : CivilDateM.addDays(ctx.today, -1)
    return Result.succeed(ended(c, "revoked", "revoked", on, ctx.at))
  }
  const s = inState(c, ["draft", "awaiting_tenant"], "R166.revoke-uncompleted", "revoking")
  if (s !== undefined) return Result.fail(s)
  return Result.succeed(ended(c, "revoked", "revoked", ctx.today, ctx.at))
}

/** 退出网签备案 (R166, R38): a registered contract exits; person–house unbound, the unit becomes 不可使用. */
export const exitRegistration = (
  c: Contract,
  ctx: { readonly today: CivilDate; readonly at: number },
): Step => {
  const s = inState(c, ["registered"], "R166.exit-registered", "exiting the registration")
  if (s !== undefined) return Result.fail(s)
  return Result.succeed(ended(c, "exited", "exit", ctx.today, ctx.at))
}

/**
 * R100 退租: on expiry (到期退租, today ≥ term end; in force through the end) or early (提前退租, before the end;
 * in force through today); the time is recorded (`endedAt`). Tenancies only.
 */
export const moveOut = (
  c: Contract,
  ctx: { readonly mode: "expiry" | "early"; readonly today: CivilDate; readonly at: number },
): Step => {
  const s = inState(c, ["registered"], "R100.move-out-in-force", "moving out")
  if (s !== undefined) return Result.fail(s)
  if (isGongyou(c.kind))
    return refuse("input", "kind", "R100.tenancies-only", "a 共有产权 purchase contract has no move-out")
  if (ctx.mode === "expiry") {
    if (ctx.today < c.term.end)
      return refuse(
        "input",
        "mode",
        "R100.expiry",
        `the term runs until ${c.term.end}: this is an early move-out`,
      )
    return Result.succeed(ended(c, "moved_out", "moved-out-expiry", c.term.end, ctx.at))
  }
  if (ctx.today >= c.term.end)
    return refuse(
      "input",
      "mode",
      "R100.early",
      `the term has ended (${c.term.end}): this is a move-out on expiry`,
    )
  if (ctx.today < c.term.start)
    return refuse(
      "input",
      "mode",
      "R100.early",
      `the term starts ${c.term.start}; exit the registration instead`,
    )
  return Result.succeed(ended(c, "moved_out", "moved-out-early", ctx.today, ctx.at))
}

/** R99 verdict of the eligibility engine on the tenant (the criteria are not given; the engine decides). */
export interface EligibilityVerdict {
  readonly qualifies: boolean
  readonly reason: string
}

/**
 * 续租 (R99): only while the tenant still qualifies. The contract ends as `renewed` at its term end and a
 * successor (registered at once, R107) holds the unit from the next day to `end`.
 */
export const renew = (
  c: Contract,
  input: {
    readonly successorId: ContractId
    readonly end: CivilDate
    readonly verdict: EligibilityVerdict
    readonly occupants?: ReadonlyArray<Occupant>
    readonly rent?: Money
  },
  ctx: { readonly at: number; readonly actor: string },
  reg: Registration,
): Result.Result<{ readonly old: Contract; readonly successor: Contract }, ContractRefused> => {
  const s = inState(c, ["registered"], "R99.renew-in-force", "renewing")
  if (s !== undefined) return Result.fail(s)
  if (isGongyou(c.kind))
    return refuse("input", "kind", "R99.tenancies-only", "a 共有产权 purchase contract is not renewed")
  if (!input.verdict.qualifies)
    return refuse(
      "state",
      "eligibility",
      "R99.still-qualifies",
      `the tenant no longer qualifies: ${input.verdict.reason}`,
    )
  const start = CivilDateM.addDays(c.term.end, 1)
  if (input.end < start)
    return refuse("input", "end", "contract.term-order", `the renewed term starts ${start}`)
  const occupants = input.occupants ?? c.occupants.filter((o) => o.leftOn === null)
  const bad = checkOccupants(c.tenant, occupants)
  if (bad !== undefined) return Result.fail(bad)
  const fresh: Contract = {
    ...c,
    id: input.successorId,
    state: "draft",
    occupants: [...occupants],
    term: { start, end: input.end },
    rent: input.rent ?? c.rent,
    documentNumber: null,
    lessorFileDigest: null,
    signedFileDigest: null,
    tenantSignedAt: null,
    registrationNumber: null,
    registeredAt: null,
    endedOn: null,
    endReason: null,
    endedAt: null,
    predecessorId: c.id,
    successorId: null,
    noticePrints: 0,
    createdAt: ctx.at,
    createdBy: ctx.actor,
    version: 0,
  }
  const successor = registered(fresh, reg)
  if (Result.isFailure(successor)) return Result.fail(successor.failure)
  return Result.succeed({
    old: { ...ended(c, "renewed", "renewed", c.term.end, ctx.at), successorId: input.successorId },
    successor: successor.success,
  })
}

/**
 * 换房 (R102): a registered tenancy moves to another unit. The new contract reads the new unit's rent, starts
 * the day after `today` and ends when the old term ends (the seed leaves the computation open: the remaining
 * term is kept), carries the tenant and current occupants and is registered at once; the old one is in
 * force through `today`. The caller releases the old unit and lets the new one.
 */
export const exchange = (
  c: Contract,
  input: {
    readonly successorId: ContractId
    readonly unit: {
      readonly unitId: string
      readonly unitType: string
      readonly rent: Money
      readonly projectId: string
      readonly district: string
    }
    readonly newUnitContracts: ReadonlyArray<Contract>
  },
  ctx: { readonly today: CivilDate; readonly at: number; readonly actor: string },
  reg: Registration,
): Result.Result<{ readonly old: Contract; readonly successor: Contract }, ContractRefused> => {
  const s = inState(c, ["registered"], "R102.exchange-in-force", "exchanging the house")
  if (s !== undefined) return Result.fail(s)
  if (!isGeneralTenancy(c.kind) && c.kind !== "baozu")
    return refuse("input", "kind", "R102.tenancies-only", "only a tenancy exchanges its house")
  if (input.unit.unitId === c.unitId)
    return refuse("input", "unitId", "R102.other-unit", "the exchange names another unit")
  const start = CivilDateM.addDays(ctx.today, 1)
  if (start > c.term.end)
    return refuse("state", "term", "R102.term-left", "no term is left to carry over to the new house")
  if (ctx.today < c.term.start)
    return refuse("state", "term", "R102.term-started", `the term starts ${c.term.start}`)
  const drafted = draft(
    {
      id: input.successorId,
      kind: c.kind,
      projectId: input.unit.projectId,
      district: input.unit.district,
      unitId: input.unit.unitId,
      unitType: input.unit.unitType,
      binding: c.binding,
      tenant: c.tenant,
      occupants: c.occupants.filter((o) => o.leftOn === null),
      term: { start, end: c.term.end },
      rent: input.unit.rent,
    },
    { today: ctx.today, at: ctx.at, actor: ctx.actor, unitContracts: input.newUnitContracts },
  )
  if (Result.isFailure(drafted)) return Result.fail(drafted.failure)
  const successor = registered(
    { ...drafted.success, clauses: c.clauses, predecessorId: c.id, version: 0 },
    reg,
  )
  if (Result.isFailure(successor)) return Result.fail(successor.failure)
  return Result.succeed({
    old: { ...ended(c, "exchanged", "exchanged", ctx.today, ctx.at), successorId: input.successorId },
    successor: successor.success,
  })
}

// ---------------------------------------------------------------------------------------------
// Occupants (R101, R98)

/** R101 主承租人变更: a current co-resident becomes the main tenant; the former main tenant's exit is recorded. */
export const changeMainTenant = (c: Contract, newMain: string, today: CivilDate): Step => {
  const s = inState(c, ["registered"], "R101.in-force", "changing the main tenant")
  if (s !== undefined) return Result.fail(s)
  const target = c.occupants.find((o) => o.personIndex === newMain && o.leftOn === null)
  if (target === undefined || target.role !== "co-resident")
    return refuse(
      "input",
      "personIndex",
      "R101.new-main-is-co-resident",
      "the new main tenant is a current co-resident",
    )
  const occupants = c.occupants.map((o) =>
    o.leftOn === null && o.role === "main"
      ? { ...o, leftOn: today }
      : o === target
        ? { ...o, role: "main" as const }
        : o,
  )
  const tenant: Tenant = c.tenant.type === "person" ? { ...c.tenant, personIndex: newMain } : c.tenant
  return Result.succeed(next(c, { occupants, tenant }))
}

/** R101: a co-resident or temporary occupant leaves (time recorded); the main tenant leaves by a change. */
export const occupantLeaves = (c: Contract, personIndex: string, today: CivilDate): Step => {
  const s = inState(c, ["registered"], "R101.in-force", "recording an occupant's exit")
  if (s !== undefined) return Result.fail(s)
  const o = c.occupants.find((x) => x.personIndex === personIndex && x.leftOn === null)
  if (o === undefined)
    return refuse("input", "personIndex", "R101.current-occupant", "no current occupant with this index")
  if (o.role === "main")
    return refuse(
      "state",
      "personIndex",
      "R101.main-tenant-change-first",
      "the main tenant leaves by a main-tenant change",
    )
  return Result.succeed(
    next(c, { occupants: c.occupants.map((x) => (x === o ? { ...x, leftOn: today } : x)) }),
  )
}

/** R98: a new co-resident moves in under a registered contract (the notice may then be reprinted). */
export const addCoResident = (c: Contract, personIndex: string, today: CivilDate): Step => {
  const s = inState(c, ["registered"], "R98.in-force", "adding a co-resident")
  if (s !== undefined) return Result.fail(s)
  if (c.occupants.some((o) => o.personIndex === personIndex && o.leftOn === null))
    return refuse("input", "personIndex", "contract.occupants-unique", "the person already lives there")
  return Result.succeed(
    next(c, {
      occupants: [...c.occupants, { personIndex, role: "co-resident", since: today, leftOn: null }],
    }),
  )
}

// ---------------------------------------------------------------------------------------------
// Registration notice, provident fund, pre-sign list

/**
 * 打印备案通知书: R97 — not while the tenant (matched by ID-number index) has an unrectified violation; R98 —
 * only operators granted printing for the contract (`mayPrint`, decided by the caller from the grants); the
 * contract is registered (reprints allowed, counted).
 */
export const printNotice = (
  c: Contract,
  ctx: { readonly unrectifiedViolations: number; readonly mayPrint: boolean },
): Step => {
  const s = inState(c, ["registered"], "R98.registered-only", "printing the registration notice")
  if (s !== undefined) return Result.fail(s)
  if (!ctx.mayPrint)
    return refuse(
      "state",
      "operator",
      "R98.print-rights",
      "this operator may not print this registration notice",
    )
  if (ctx.unrectifiedViolations > 0)
    return refuse(
      "state",
      "tenant",
      "R97.unrectified-violation",
      "the tenant has an unrectified violation (限制其不可打印备案); enter its rectification date first",
    )
  return Result.succeed(next(c, { noticePrints: c.noticePrints + 1 }))
}

/**
 * R103: provident-fund withdrawal (提取公积金) against a 公租/保租/共有产权 contract: allowed only while it is
 * registered and in force; never after 退租.
 */
export const fundWithdrawal = (
  c: Contract,
  today: CivilDate,
): { readonly allowed: boolean; readonly rule: string } => {
  if (c.state === "moved_out") return { allowed: false, rule: "R103.no-withdrawal-after-move-out" }
  if (c.kind === "lianzu") return { allowed: false, rule: "R103.kinds" }
  return c.state === "registered" && inForceOn(c, today)
    ? { allowed: true, rule: "R103.in-force" }
    : { allowed: false, rule: "R103.in-force" }
}

/** A person waiting to sign: their case, ID-number index and intended unit type (意向户型). */
export interface PreSignCandidate {
  readonly caseId: string
  readonly personIndex: string
  readonly intendedUnitType: string
}

/**
 * R93 预签列表: candidates whose intended unit type equals the unit's type exactly; R91: a person drafted on
 * another unit (holding a draft or awaiting signature) drops out of every other list.
 */
export const preSignList = (
  unit: { readonly unitId: string; readonly unitType: string },
  candidates: ReadonlyArray<PreSignCandidate>,
  contracts: ReadonlyArray<Contract>,
): ReadonlyArray<PreSignCandidate> => {
  const drafted = new Set(
    contracts
      .filter((c) => (c.state === "draft" || c.state === "awaiting_tenant") && c.unitId !== unit.unitId)
      .flatMap((c) => (c.tenant.type === "person" ? [c.tenant.personIndex] : [])),
  )
  return candidates.filter((p) => p.intendedUnitType === unit.unitType && !drafted.has(p.personIndex))
}

// ---------------------------------------------------------------------------------------------
// Violations (违规违约, R97)

export const rectify = (v: Violation, on: CivilDate): Result.Result<Violation, ContractRefused> =>
  v.rectifiedOn !== null
    ? refuse(
        "state",
        "rectifiedOn",
        "R97.rectify-once",
        `violation ${v.id} was rectified on ${v.rectifiedOn}`,
      )
    : on < v.occurredOn
      ? refuse("input", "rectifiedOn", "R97.rectify-after", "rectification cannot precede the violation")
      : Result.succeed({ ...v, rectifiedOn: on, version: v.version + 1 })

// ---------------------------------------------------------------------------------------------
// Unit effects (through StockRules, the one unit model)

/** What a transition does to stock units, as StockRules commands (letUnit, release R35, markUnusable R38). */
export interface UnitEffect {
  readonly unitId: string
  readonly command: "let" | "release" | "markUnusable"
}

/**
 * The unit commands a transition implies: revocation (合同撤销) and move-out (退租) restore the unit, an exit
 * (退出网签备案) makes it unusable, an exchange releases the old unit and lets the new one; nothing else
 * touches the stock (the draft finds its unit already let by the selection binding).
 */
export const unitEffects = (after: Contract, successor?: Contract): ReadonlyArray<UnitEffect> => {
  switch (after.state) {
    case "revoked":
    case "moved_out":
      return [{ unitId: after.unitId, command: "release" }]
    case "exited":
      return [{ unitId: after.unitId, command: "markUnusable" }]
    case "exchanged":
      return successor === undefined
        ? []
        : [
            { unitId: after.unitId, command: "release" },
            { unitId: successor.unitId, command: "let" },
          ]
    default:
      return []
  }
}
