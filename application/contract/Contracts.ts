/**
 * Lease-contract use-cases (网签备案, R89–R107, R166, R167): draft a contract from a selection binding (a family
 * chose a unit in a 选房 session), then sign, register, revoke, exit, renew, move out, exchange, change the
 * main tenant, print the registration notice; clause templates (R94) and violations (R97). The rules are the
 * domain's (domain/contract/ContractMachine.ts); unit status changes are StockRules values written by the
 * ContractStore in the same transaction as the contract. Needs `contract.manage` (reads `contract.read`,
 * notice printing `contract.print`, R98) and a scope covering the contract's project: an operating company
 * only its projects, a district its district, a tenant (applicant) only contracts whose tenant they are.
 * Anything outside the scope answers exactly like a missing contract.
 */
import { Clock, Data, Effect, Option, Result } from "effect"
import { type Actor, coversStock, hasPermission } from "../../domain/access/Access.js"
import type { CaseId } from "../../domain/cases/Case.js"
import type {
  ClauseTemplate,
  Contract,
  ContractId,
  ContractKind,
  Occupant,
  Tenant,
  Violation,
} from "../../domain/contract/Contract.js"
import * as M from "../../domain/contract/ContractMachine.js"
import type { ProjectId, Unit, UnitId } from "../../domain/stock/Stock.js"
import * as Rules from "../../domain/stock/StockRules.js"
import * as CivilDate from "../../domain/values/CivilDate.js"
import { AccessDenied, requirePermission } from "../access/AccessDenied.js"
import { CaseStore } from "../ports/CaseStore.js"
import { type ContractChange, ContractStore, type ContractStoreError } from "../ports/ContractStore.js"
import { SecureRandom } from "../ports/SecureRandom.js"
import { SelectionStore } from "../ports/SelectionStore.js"
import { StockStore, type UnitUpdate } from "../ports/StockStore.js"
import { SelectionNotFound, stateOf } from "../selection/Selections.js"

/** No contract with this id within the caller's reach (missing or out of scope: the same answer). */
export class ContractNotFound extends Data.TaggedError("ContractNotFound")<{ readonly id: string }> {
  override get message(): string {
    return `no contract ${this.id}`
  }
}

/** A contract command refused by a rule: 409 when the state forbids it now, 422 when the input is invalid. */
export class ContractRefusedByRule extends Data.TaggedError("ContractRefusedByRule")<{
  readonly field: string
  readonly rule: string
  readonly status: 409 | 422
  readonly message: string
}> {}

const refused = (e: M.ContractRefused) =>
  new ContractRefusedByRule({
    field: e.field,
    rule: e.rule,
    status: e.kind === "state" ? 409 : 422,
    message: e.message,
  })

const decided = <A>(r: Result.Result<A, M.ContractRefused>) =>
  Result.isFailure(r) ? Effect.fail(refused(r.failure)) : Effect.succeed(r.success)

/** The store's refusals as typed rule answers; availability failures stay store errors (503). */
const storeRefusal = (e: ContractStoreError): ContractStoreError | ContractRefusedByRule => {
  const r = e.reason
  switch (r._tag) {
    case "UnitHeld":
      return new ContractRefusedByRule({
        field: "unitId",
        rule: "contract.unit-held",
        status: 409,
        message: e.message,
      })
    case "StaleVersion":
      return new ContractRefusedByRule({
        field: "version",
        rule: "contract.changed",
        status: 409,
        message: `${e.message}; read the contract again`,
      })
    case "UnitChanged":
      return new ContractRefusedByRule({
        field: "unitId",
        rule: "contract.unit-changed",
        status: 409,
        message: `${e.message}; try again`,
      })
    case "Conflict":
      return new ContractRefusedByRule({
        field: "id",
        rule: "contract.id-taken",
        status: 409,
        message: e.message,
      })
    default:
      return e
  }
}

/** Whether the actor's scope covers the contract (officers by project/district; a tenant by their index). */
export const canSeeContract = (actor: Actor, c: Contract): boolean =>
  actor.role === "applicant"
    ? c.tenant.type === "person" && c.tenant.personIndex === actor.idIndex
    : coversStock(actor, { district: c.district, projectId: c.projectId })

const load = (actor: Actor, id: string, permission: "contract.read" | "contract.manage" | "contract.print") =>
  Effect.gen(function* () {
    yield* requirePermission(actor, permission)
    const found = yield* (yield* ContractStore).get(id)
    if (Option.isNone(found) || !canSeeContract(actor, found.value))
      return yield* new ContractNotFound({ id })
    // Tenants read; only officers change contracts.
    if (permission !== "contract.read" && actor.role === "applicant")
      return yield* new ContractNotFound({ id })
    return found.value
  })

const today = Effect.map(Clock.currentTimeMillis, (at) => ({ at, today: CivilDate.fromInstant(at) }))

/** R107: a registration number for now, its serial drawn from the SecureRandom port. */
const registration = (district: string, at: number) =>
  Effect.gen(function* () {
    const b = yield* (yield* SecureRandom).bytes(2)
    return M.registrationNumber(district, at, ((b[0] ?? 0) << 8) | (b[1] ?? 0))
  })

/** The StockRules step of each unit effect, as version-checked updates (the one unit model). */
const unitUpdates = (effects: ReadonlyArray<M.UnitEffect>) =>
  Effect.gen(function* () {
    if (effects.length === 0) return [] as ReadonlyArray<UnitUpdate>
    const units = yield* (yield* StockStore).getUnits(effects.map((e) => e.unitId as UnitId))
    const out: Array<UnitUpdate> = []
    for (const e of effects) {
      const u = units.find((x) => x.id === e.unitId)
      if (u === undefined)
        return yield* new ContractRefusedByRule({
          field: "unitId",
          rule: "contract.unit-missing",
          status: 409,
          message: `unit ${e.unitId} is not in the stock`,
        })
      const step =
        e.command === "let" ? Rules.letUnit : e.command === "release" ? Rules.release : Rules.markUnusable
      const r = step(u)
      if (Result.isFailure(r))
        return yield* new ContractRefusedByRule({
          field: "unitId",
          rule: r.failure.rule,
          status: 409,
          message: r.failure.message,
        })
      out.push({ unit: r.success, expectedVersion: u.version })
    }
    return out
  })

const eventOf = (
  c: Contract,
  action: string,
  from: Contract["state"] | null,
  at: number,
  actor: Actor,
  note: string | null = null,
) => ({
  contractId: c.id,
  version: c.version,
  action,
  from,
  to: c.state,
  at,
  actor: actor.id,
  note,
})

/** Writes a transition of `before` (and a successor, for renewal and exchange) with its unit effects. */
const save = (
  actor: Actor,
  action: string,
  before: Contract,
  after: Contract,
  at: number,
  successor?: Contract,
  note: string | null = null,
) =>
  Effect.gen(function* () {
    const units = yield* unitUpdates(M.unitEffects(after, successor))
    const change: ContractChange = {
      contracts: [
        { contract: after, expectedVersion: before.version },
        ...(successor === undefined ? [] : [{ contract: successor, expectedVersion: 0 }]),
      ],
      units,
      events: [
        eventOf(after, action, before.state, at, actor, note),
        ...(successor === undefined
          ? []
          : [eventOf(successor, action, null, at, actor, `predecessor ${before.id}`)]),
      ],
    }
    yield* (yield* ContractStore).commit(change).pipe(Effect.mapError(storeRefusal))
    return successor === undefined ? after : { old: after, successor }
  })

/** Retries a registering command when its drawn registration number is taken (R107), up to 3 draws. */
const withRegistration = <A, E, R>(
  district: string,
  at: number,
  f: (reg: M.Registration) => Effect.Effect<A, E | ContractStoreError | ContractRefusedByRule, R>,
) =>
  Effect.gen(function* () {
    for (let attempt = 0; ; attempt++) {
      const reg = yield* registration(district, at)
      const r = yield* Effect.result(f(reg))
      if (Result.isSuccess(r)) return r.success
      const e = r.failure as { _tag?: string; reason?: { _tag: string } }
      if (attempt < 2 && e._tag === "ContractStoreError" && e.reason?._tag === "RegistrationTaken") continue
      return yield* Effect.fail(r.failure)
    }
  })

const CONTRACT_OF_HOUSING: Record<string, ContractKind | undefined> = {
  baozu: "baozu",
  rencai: "baozu",
  gongzu: "gongzu",
  lianzu: "lianzu",
}

export interface DraftFromSelection {
  readonly contractId: string
  readonly sessionId: string
  /** The family (application number = case id) whose standing choice names the unit. */
  readonly family: string
  /** Required for 共有产权 (presale or sale, R105); else derived from the unit's kind. */
  readonly kind?: ContractKind
  readonly term: { readonly start: string; readonly end: string }
  /** R106: a company as tenant (单位租赁); the family's applicant is the main occupant. */
  readonly corporate?: Omit<Extract<Tenant, { type: "corporate" }>, "type">
}

const badInput = (field: string, rule: string, message: string) =>
  new ContractRefusedByRule({ field, rule, status: 422, message })

/**
 * 草签/签约 from a selection binding: the family's standing choice in the session names the unit (let by the
 * choice, R54); the family's admitted case gives the tenant (its applicant's ID index) and the co-residents
 * (its other members). R91 start ≥ today − 30 days; one holding contract per unit (the store holds it too).
 */
export const draftFromSelection = Effect.fn("Contracts.draftFromSelection")(function* (
  actor: Actor,
  input: DraftFromSelection,
) {
  yield* requirePermission(actor, "contract.manage")
  if (actor.role === "applicant")
    return yield* new AccessDenied({ actorId: actor.id, permission: "contract.manage", object: null })
  const found = yield* (yield* SelectionStore).get(input.sessionId)
  if (Option.isNone(found) || !coversStock(actor, found.value.session))
    return yield* new SelectionNotFound({ sessionId: input.sessionId })
  const session = found.value.session
  const choice = stateOf(found.value).chosen[input.family]
  if (choice === undefined)
    return yield* new ContractRefusedByRule({
      field: "family",
      rule: "contract.selection-binding",
      status: 409,
      message: `family ${input.family} has no standing choice in session ${session.sessionId}`,
    })
  const stock = yield* StockStore
  const [unit] = yield* stock.getUnits([choice.unit as UnitId])
  if (unit === undefined || unit.status !== "let")
    return yield* new ContractRefusedByRule({
      field: "unitId",
      rule: "contract.unit-bound",
      status: 409,
      message: `unit ${choice.unit} is not let by the selection (${unit?.status ?? "missing"})`,
    })
  const kind = input.kind ?? CONTRACT_OF_HOUSING[unit.kind]
  if (kind === undefined)
    return yield* badInput(
      "kind",
      "R105.presale-or-sale",
      "a 共有产权 contract names its kind: gongyou-presale or gongyou-sale",
    )
  if (!M.kindFitsHousing(kind, unit.kind))
    return yield* badInput(
      "kind",
      "contract.kind-fits-unit",
      `a ${kind} contract cannot let a ${unit.kind} unit`,
    )
  const c = yield* (yield* CaseStore).get(input.family as CaseId)
  if (Option.isNone(c) || !["admitted", "expiring_soon"].includes(c.value.state))
    return yield* new ContractRefusedByRule({
      field: "family",
      rule: "contract.qualified-case",
      status: 409,
      message: `family ${input.family} has no admitted qualification case (准入资格)`,
    })
  const members = c.value.members
  const main = members.find((m) => m.role === "applicant")
  if (main === undefined)
    return yield* new ContractRefusedByRule({
      field: "family",
      rule: "contract.qualified-case",
      status: 409,
      message: "the case has no applicant",
    })
  const start = CivilDate.parse(input.term.start, "term.start")
  const end = CivilDate.parse(input.term.end, "term.end")
  if (Result.isFailure(start)) return yield* badInput("term.start", start.failure.rule, start.failure.message)
  if (Result.isFailure(end)) return yield* badInput("term.end", end.failure.rule, end.failure.message)
  const { at, today: day } = yield* today
  const occupants: Array<Occupant> = [
    { personIndex: main.idIndex, role: "main", since: start.success, leftOn: null },
    ...members
      .filter((m) => m !== main)
      .map((m) => ({
        personIndex: m.idIndex,
        role: "co-resident" as const,
        since: start.success,
        leftOn: null,
      })),
  ]
  const tenant: Tenant =
    input.corporate === undefined
      ? { type: "person", caseId: c.value.id, personIndex: main.idIndex }
      : { type: "corporate", ...input.corporate }
  const store = yield* ContractStore
  const unitContracts = (yield* store.list({ unitId: unit.id, limit: 1000 })).items
  const contract = yield* decided(
    M.draft(
      {
        id: input.contractId as ContractId,
        kind,
        projectId: session.projectId,
        district: session.district,
        unitId: unit.id,
        unitType: `${unit.bedrooms}-${unit.halls}`,
        binding: { sessionId: session.sessionId, family: input.family },
        tenant,
        occupants,
        term: { start: start.success, end: end.success },
        rent: unit.rent,
      },
      { today: day, at, actor: actor.id, unitContracts },
    ),
  )
  const r = yield* store
    .commit({
      contracts: [{ contract, expectedVersion: 0 }],
      units: [],
      events: [eventOf(contract, "draft", null, at, actor)],
    })
    .pipe(Effect.mapError(storeRefusal))
  return r.replayed ? Option.getOrElse(yield* store.get(contract.id), () => contract) : contract
})

export const getContract = Effect.fn("Contracts.get")(function* (actor: Actor, id: string) {
  const c = yield* load(actor, id, "contract.read")
  return { contract: c, history: yield* (yield* ContractStore).history(id) }
})

/** Contracts in the caller's scope (a tenant: their own), in id order, paged. */
export const listContracts = Effect.fn("Contracts.list")(function* (
  actor: Actor,
  q: {
    readonly projectId?: string
    readonly unitId?: string
    readonly states?: ReadonlyArray<Contract["state"]>
    readonly after?: string
    readonly limit: number
  },
) {
  yield* requirePermission(actor, "contract.read")
  const scope =
    actor.role === "city"
      ? {}
      : actor.role === "district"
        ? { districts: [actor.district] }
        : actor.role === "operator"
          ? { projectIds: actor.projectIds }
          : actor.role === "system"
            ? actor.districts === "all"
              ? {}
              : { districts: actor.districts }
            : actor.role === "applicant"
              ? { tenantIndex: actor.idIndex }
              : { districts: [] as ReadonlyArray<string> }
  const page = yield* (yield* ContractStore).list({
    ...scope,
    ...(q.unitId === undefined ? {} : { unitId: q.unitId }),
    ...(q.states === undefined ? {} : { states: q.states }),
    ...(q.after === undefined ? {} : { after: q.after }),
    limit: q.limit,
  })
  const items = page.items.filter(
    (c) => canSeeContract(actor, c) && (q.projectId === undefined || c.projectId === q.projectId),
  )
  return { items, next: page.next }
})

/** Commands on one contract, by name: what the HTTP layer and the CLI send. */
export type ContractCommand =
  | { readonly type: "swap-tenant"; readonly caseId: string }
  | {
      readonly type: "send-for-signature"
      readonly documentNumber: string
      readonly lessorFileDigest: string
    }
  | { readonly type: "tenant-signed"; readonly documentNumber: string; readonly signedFileDigest: string }
  | { readonly type: "quick-sign" }
  | { readonly type: "revoke"; readonly titleCheck?: "no-valid-title" | "valid-title" }
  | { readonly type: "exit" }
  | { readonly type: "move-out"; readonly mode: "expiry" | "early" }
  | { readonly type: "change-main-tenant"; readonly personIndex: string }
  | { readonly type: "occupant-leaves"; readonly personIndex: string }
  | { readonly type: "add-co-resident"; readonly personIndex: string }
  | { readonly type: "attach-clauses"; readonly templateIds: ReadonlyArray<string> }
  | {
      readonly type: "renew"
      readonly successorId: string
      readonly end: string
      /** R99: the eligibility engine's verdict on the tenant (criteria not given by the seed). */
      readonly verdict: M.EligibilityVerdict
    }
  | { readonly type: "exchange"; readonly successorId: string; readonly unitId: string }

/**
 * Runs one command on a contract (see `ContractCommand`); unit effects (revoke/move-out release, exit
 * unusable, exchange release + let) go through StockRules in the same transaction. Renewal and exchange
 * answer `{ old, successor }`, the others the contract.
 */
export const command = Effect.fn("Contracts.command")(function* (
  actor: Actor,
  id: string,
  cmd: ContractCommand,
) {
  const c = yield* load(actor, id, "contract.manage")
  const { at, today: day } = yield* today
  switch (cmd.type) {
    case "swap-tenant": {
      const k = yield* (yield* CaseStore).get(cmd.caseId as CaseId)
      const main = Option.isSome(k) ? k.value.members.find((m) => m.role === "applicant") : undefined
      if (Option.isNone(k) || main === undefined || !["admitted", "expiring_soon"].includes(k.value.state))
        return yield* new ContractRefusedByRule({
          field: "caseId",
          rule: "contract.qualified-case",
          status: 409,
          message: `case ${cmd.caseId} has no admitted qualification`,
        })
      const occupants: Array<Occupant> = k.value.members.map((m) => ({
        personIndex: m.idIndex,
        role: m === main ? ("main" as const) : ("co-resident" as const),
        since: c.term.start,
        leftOn: null,
      }))
      const tenant: Tenant =
        c.tenant.type === "corporate"
          ? c.tenant
          : { type: "person", caseId: k.value.id, personIndex: main.idIndex }
      return yield* save(actor, "swap-tenant", c, yield* decided(M.swapTenant(c, tenant, occupants)), at)
    }
    case "send-for-signature":
      return yield* save(actor, "send-for-signature", c, yield* decided(M.sendForSignature(c, cmd)), at)
    case "tenant-signed":
      return yield* withRegistration(c.district, at, (reg) =>
        Effect.flatMap(decided(M.tenantSigned(c, { ...cmd, signedAt: at }, reg)), (next) =>
          save(actor, "tenant-signed", c, next, at),
        ),
      )
    case "quick-sign":
      return yield* withRegistration(c.district, at, (reg) =>
        Effect.flatMap(decided(M.quickSign(c, reg)), (next) => save(actor, "quick-sign", c, next, at)),
      )
    case "revoke":
      return yield* save(
        actor,
        "revoke",
        c,
        yield* decided(
          M.revoke(c, {
            today: day,
            at,
            ...(cmd.titleCheck === undefined ? {} : { titleCheck: cmd.titleCheck }),
          }),
        ),
        at,
      )
    case "exit":
      return yield* save(actor, "exit", c, yield* decided(M.exitRegistration(c, { today: day, at })), at)
    case "move-out":
      return yield* save(
        actor,
        `move-out-${cmd.mode}`,
        c,
        yield* decided(M.moveOut(c, { mode: cmd.mode, today: day, at })),
        at,
      )
    case "change-main-tenant":
      return yield* save(
        actor,
        "change-main-tenant",
        c,
        yield* decided(M.changeMainTenant(c, cmd.personIndex, day)),
        at,
      )
    case "occupant-leaves":
      return yield* save(
        actor,
        "occupant-leaves",
        c,
        yield* decided(M.occupantLeaves(c, cmd.personIndex, day)),
        at,
      )
    case "add-co-resident":
      return yield* save(
        actor,
        "add-co-resident",
        c,
        yield* decided(M.addCoResident(c, cmd.personIndex, day)),
        at,
      )
    case "attach-clauses": {
      const found = yield* (yield* ContractStore).getClauses(cmd.templateIds)
      const missing = cmd.templateIds.find((t) => !found.some((f) => f.id === t))
      if (missing !== undefined)
        return yield* badInput("templateIds", "R94.approved-only", `no clause template ${missing}`)
      return yield* save(actor, "attach-clauses", c, yield* decided(M.attachClauses(c, found)), at)
    }
    case "renew": {
      const end = CivilDate.parse(cmd.end, "end")
      if (Result.isFailure(end)) return yield* badInput("end", end.failure.rule, end.failure.message)
      return yield* withRegistration(c.district, at, (reg) =>
        Effect.flatMap(
          decided(
            M.renew(
              c,
              { successorId: cmd.successorId as ContractId, end: end.success, verdict: cmd.verdict },
              { at, actor: actor.id },
              reg,
            ),
          ),
          (r) => save(actor, "renew", c, r.old, at, r.successor),
        ),
      )
    }
    case "exchange": {
      const [u] = yield* (yield* StockStore).getUnits([cmd.unitId as UnitId])
      if (u === undefined) return yield* badInput("unitId", "R102.unit", `no unit ${cmd.unitId}`)
      const [p] = yield* (yield* StockStore).getProjects([u.projectId as ProjectId])
      if (p === undefined || !coversStock(actor, { district: p.district, projectId: p.id }))
        return yield* badInput("unitId", "R102.unit", `no unit ${cmd.unitId}`)
      if (!M.kindFitsHousing(c.kind, u.kind))
        return yield* badInput(
          "unitId",
          "contract.kind-fits-unit",
          `a ${c.kind} contract cannot let a ${u.kind} unit`,
        )
      const newUnitContracts = (yield* (yield* ContractStore).list({ unitId: u.id, limit: 1000 })).items
      return yield* withRegistration(c.district, at, (reg) =>
        Effect.flatMap(
          decided(
            M.exchange(
              c,
              { successorId: cmd.successorId as ContractId, unit: placed(u, p.district), newUnitContracts },
              { today: day, at, actor: actor.id },
              reg,
            ),
          ),
          (r) => save(actor, "exchange", c, r.old, at, r.successor),
        ),
      )
    }
  }
})

const placed = (u: Unit, district: string) => ({
  unitId: u.id,
  unitType: `${u.bedrooms}-${u.halls}`,
  rent: u.rent,
  projectId: u.projectId,
  district,
})

/**
 * 打印备案通知书 (R97, R98): `contract.print` and the contract's scope decide the operator's print right; an
 * unrectified violation of the tenant (by ID index) blocks it. Counted (reprints allowed).
 */
export const printNotice = Effect.fn("Contracts.printNotice")(function* (actor: Actor, id: string) {
  const c = yield* load(actor, id, "contract.read")
  const mayPrint = hasPermission(actor, "contract.print") && actor.role !== "applicant"
  const store = yield* ContractStore
  const indexes = [
    ...(c.tenant.type === "person" ? [c.tenant.personIndex] : []),
    ...c.occupants.filter((o) => o.role === "main" && o.leftOn === null).map((o) => o.personIndex),
  ]
  let open = 0
  for (const idx of new Set(indexes))
    open += (yield* store.violationsOf(idx)).filter((v) => v.rectifiedOn === null).length
  const next = yield* decided(M.printNotice(c, { unrectifiedViolations: open, mayPrint }))
  const { at } = yield* today
  return yield* save(actor, "print-notice", c, next, at)
})

/** R103: whether the provident-fund side may accept a withdrawal against the contract today. */
export const fundWithdrawal = Effect.fn("Contracts.fundWithdrawal")(function* (actor: Actor, id: string) {
  const c = yield* load(actor, id, "contract.read")
  const { today: day } = yield* today
  return { contractId: c.id, ...M.fundWithdrawal(c, day) }
})

/** R97: records a violation of a person (by ID index) in a project within the caller's scope. */
export const recordViolation = Effect.fn("Contracts.recordViolation")(function* (
  actor: Actor,
  input: {
    readonly id: string
    readonly personIndex: string
    readonly projectId: string
    readonly content: string
    readonly occurredOn: string
  },
) {
  yield* requirePermission(actor, "contract.manage")
  const [p] = yield* (yield* StockStore).getProjects([input.projectId as ProjectId])
  if (
    p === undefined ||
    actor.role === "applicant" ||
    !coversStock(actor, { district: p.district, projectId: p.id })
  )
    return yield* badInput("projectId", "scope", `no project ${input.projectId} within reach`)
  const on = CivilDate.parse(input.occurredOn, "occurredOn")
  if (Result.isFailure(on)) return yield* badInput("occurredOn", on.failure.rule, on.failure.message)
  const v: Violation = { ...input, occurredOn: on.success, rectifiedOn: null, version: 1 }
  yield* (yield* ContractStore).saveViolation(v, 0).pipe(Effect.mapError(storeRefusal))
  return v
})

/** R97: entering the rectification date closes the violation. */
export const rectifyViolation = Effect.fn("Contracts.rectifyViolation")(function* (
  actor: Actor,
  input: { readonly personIndex: string; readonly id: string; readonly rectifiedOn: string },
) {
  yield* requirePermission(actor, "contract.manage")
  const store = yield* ContractStore
  const v = (yield* store.violationsOf(input.personIndex)).find((x) => x.id === input.id)
  const p =
    v === undefined ? undefined : (yield* (yield* StockStore).getProjects([v.projectId as ProjectId]))[0]
  if (
    v === undefined ||
    p === undefined ||
    actor.role === "applicant" ||
    !coversStock(actor, { district: p.district, projectId: p.id })
  )
    return yield* badInput("id", "scope", `no violation ${input.id} within reach`)
  const on = CivilDate.parse(input.rectifiedOn, "rectifiedOn")
  if (Result.isFailure(on)) return yield* badInput("rectifiedOn", on.failure.rule, on.failure.message)
  const next = yield* decided(M.rectify(v, on.success))
  yield* store.saveViolation(next, v.version).pipe(Effect.mapError(storeRefusal))
  return next
})

/** R94: creates a clause template (draft) or reviews one (submit, approve, roll back). City and district officers. */
export const manageClause = Effect.fn("Contracts.manageClause")(function* (
  actor: Actor,
  input:
    | {
        readonly action: "create"
        readonly id: string
        readonly title: string
        readonly text: string
        readonly kind: ContractKind | null
      }
    | { readonly action: "submit" | "approve" | "rollback"; readonly id: string },
) {
  yield* requirePermission(actor, "contract.manage")
  if (actor.role !== "city" && actor.role !== "district")
    return yield* new AccessDenied({
      actorId: actor.id,
      permission: "contract.manage",
      object: `clause:${input.id}`,
    })
  const store = yield* ContractStore
  if (input.action === "create") {
    const t: ClauseTemplate = {
      id: input.id,
      title: input.title,
      text: input.text,
      kind: input.kind,
      status: "draft",
      version: 1,
    }
    yield* store.saveClause(t, 0).pipe(Effect.mapError(storeRefusal))
    return t
  }
  const [t] = yield* store.getClauses([input.id])
  if (t === undefined) return yield* badInput("id", "R94.clause-review", `no clause template ${input.id}`)
  const next = yield* decided(M.reviewClause(t, input.action))
  yield* store.saveClause(next, t.version).pipe(Effect.mapError(storeRefusal))
  return next
})
