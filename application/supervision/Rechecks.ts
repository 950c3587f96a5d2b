/**
 * Periodic re-checks (定期复核, R85–R88, R110; 低保 changes, R82) and the persisted warning list (警示名单, R24) as use-cases on
 * ports. `runRechecks` asks the agencies about every household in force (admitted / expiring-soon cases, in
 * keyset pages: bounded memory) once per (case, check, period) — the period from the check's dated cadence;
 * the answer is stored as evidence and a finding raises one warning per (person, rule, level, case, period).
 * Running twice in a period asks nothing and says so; after downtime the current period runs once.
 * `listWarnings` / `resolveWarning`: the list within the actor's districts (out of scope = not found).
 */
import { Clock, Data, Effect, Option, Result } from "effect"
import { type Actor, coversStock } from "../../domain/access/Access.js"
import type { CaseId, CaseState, Evidence } from "../../domain/cases/Case.js"
import type { WarningLevel } from "../../domain/guard/GuardWarning.js"
import { makeWarningRecord, type WarningStatus, warningKey } from "../../domain/guard/WarningRecord.js"
import type { PolicyTable } from "../../domain/policy/PolicyTable.js"
import {
  allRecheckParameters,
  type Cadence,
  dibaoRecheckApplies,
  findingWarning,
  periodOf,
  RECHECK_DEFINITIONS,
  RECHECKS,
  type Recheck,
  RecheckParameters,
} from "../../domain/supervision/Recheck.js"
import * as CivilDate from "../../domain/values/CivilDate.js"
import { invalid } from "../../domain/values/InvalidValue.js"
import { requirePermission } from "../access/AccessDenied.js"
import { withAuditPurpose } from "../audit/AuditContext.js"
import { applicantIndexOf, digestOf, openCase } from "../cases/CaseSealing.js"
import { loadPolicyTable } from "../policy/LoadPolicyTable.js"
import { AgencyRecords } from "../ports/AgencyRecords.js"
import { CaseStore, type StoredCase } from "../ports/CaseStore.js"
import { WarningStore } from "../ports/WarningStore.js"

/** Households in force: their qualification holds (准入 / 临期). */
export const IN_FORCE: ReadonlyArray<CaseState> = ["admitted", "expiring_soon"]
/** Cases read per page: memory stays bounded by this, whatever the number of households. */
export const BATCH = 200
/** Agency failures listed in the error (the count is complete). */
const LISTED_FAILURES = 5

/** Some agency questions failed (timeout, outage): everything else is stored; a retry asks only those. */
export class RechecksIncomplete extends Data.TaggedError("RechecksIncomplete")<{
  readonly failed: number
  readonly examples: ReadonlyArray<string>
  readonly message: string
}> {}

/** No warning within the actor's reach (answered like a missing one: no oracle of other districts). */
export class WarningNotFound extends Data.TaggedError("WarningNotFound")<{
  readonly id: string
  readonly message: string
}> {}

export interface CheckTally {
  readonly check: Recheck
  readonly cadence: Cadence
  readonly period: string
  /** Households this check applies to. */
  readonly households: number
  /** Agency questions asked and stored in this run. */
  readonly checked: number
  /** Results already stored for the period (nothing asked). */
  readonly already: number
  readonly findings: number
  /** Warnings newly raised (a finding whose warning existed raises none). */
  readonly raised: number
  readonly pending: number
  /** No subject to ask about (a bank-card check of a household without a card on file). */
  readonly noSubject: number
  readonly failed: number
}

export interface RecheckRun {
  readonly on: CivilDate.CivilDate
  readonly tallies: ReadonlyArray<CheckTally>
}

/** The cadence of each check on `on` (city value; the policy may date it). */
export const cadences = (table: PolicyTable, on: CivilDate.CivilDate) =>
  Result.gen(function* () {
    const reader = table.reader({ on })
    const out: Partial<Record<Recheck, Cadence>> = {}
    for (const c of RECHECKS) out[c] = yield* reader.read(RecheckParameters[c])
    return out as Readonly<Record<Recheck, Cadence>>
  })

/** A warning's id: a digest of its key (so raising is idempotent by key across stores). */
export const warningIdOf = (w: Parameters<typeof warningKey>[0]): string =>
  `w-${digestOf({ key: warningKey(w) }).slice(0, 32)}`

const covers = (actor: Actor, district: string) => coversStock(actor, { district, projectId: null })

/** The districts an actor may see, or undefined for all. */
const scopeDistricts = (actor: Actor): ReadonlyArray<string> | undefined =>
  actor.role === "city"
    ? undefined
    : actor.role === "district"
      ? [actor.district]
      : actor.role === "system"
        ? actor.districts === "all"
          ? undefined
          : actor.districts
        : []

/**
 * Runs every due re-check of every household in force within the actor's districts (`cases.verify`), as of
 * the clock's civil day in Asia/Shanghai. Idempotent per (case, check, period). Fails with
 * RechecksIncomplete after trying every household when an agency did not answer (the job is retried).
 */
export const runRechecks = Effect.fn("Supervision.runRechecks")(function* (
  actor: Actor,
  options: { readonly checks?: ReadonlyArray<Recheck> } = {},
) {
  yield* requirePermission(actor, "cases.verify")
  const checks = options.checks ?? RECHECKS
  const cases = yield* CaseStore
  const table = yield* loadPolicyTable(allRecheckParameters)
  const now = yield* Clock.currentTimeMillis
  const on = CivilDate.fromInstant(now)
  const cadence = yield* Effect.fromResult(cadences(table, on))
  const tally = new Map(
    checks.map((check) => [
      check,
      {
        check,
        cadence: cadence[check],
        period: periodOf(cadence[check], on),
        households: 0,
        checked: 0,
        already: 0,
        findings: 0,
        raised: 0,
        pending: 0,
        noSubject: 0,
        failed: 0,
      },
    ]),
  )
  const failures: Array<string> = []
  const districts = scopeDistricts(actor)
  let after: CaseId | undefined
  for (;;) {
    const page = yield* cases.list({
      states: IN_FORCE,
      limit: BATCH,
      ...(districts === undefined ? {} : { districts }),
      ...(after === undefined ? {} : { after }),
    })
    for (const stored of page.items) {
      const failed = yield* recheckCase(stored, checks, tally, now, on)
      failures.push(...failed)
    }
    if (page.next === null) break
    after = page.next
  }
  const tallies: ReadonlyArray<CheckTally> = [...tally.values()]
  if (failures.length > 0)
    return yield* new RechecksIncomplete({
      failed: failures.length,
      examples: failures.slice(0, LISTED_FAILURES),
      message: `${failures.length} agency question(s) failed and will be asked again: ${failures.slice(0, LISTED_FAILURES).join("; ")}`,
    })
  return { on, tallies } satisfies RecheckRun
})

type MutableTally = { -readonly [K in keyof CheckTally]: CheckTally[K] }

const recheckCase = Effect.fnUntraced(function* (
  stored: StoredCase,
  checks: ReadonlyArray<Recheck>,
  tally: Map<Recheck, MutableTally>,
  now: number,
  on: CivilDate.CivilDate,
) {
  const store = yield* WarningStore
  const agencies = yield* AgencyRecords
  const failures: Array<string> = []
  const due: Array<Recheck> = []
  for (const check of checks) {
    const t = tally.get(check)!
    if (!RECHECK_DEFINITIONS[check].kinds.includes(stored.kind)) continue
    t.households += 1
    if (Option.isSome(yield* store.findCheck(stored.id, check, t.period))) t.already += 1
    else if (check === "dibao" && !(yield* onDibao(stored))) t.noSubject += 1
    else due.push(check)
  }
  if (due.length === 0) return failures
  const opened = yield* openCase(stored).pipe(
    withAuditPurpose("periodic agency re-check", `case:${stored.id}`),
  )
  const personIndex = applicantIndexOf(stored) ?? stored.members[0]?.idIndex ?? `case:${stored.id}`
  for (const check of due) {
    const t = tally.get(check)!
    const members = opened.members
      .map((m, i) => ({ m, idIndex: stored.members[i]!.idIndex }))
      .filter(({ m }) => check !== "bank_card" || m.bankCard !== null)
    if (members.length === 0) {
      t.noSubject += 1
      continue
    }
    const requestDigest = digestOf({
      source: check,
      caseId: stored.id,
      period: t.period,
      subjects: members.map(({ m, idIndex }) => ({ role: m.role, idIndex })),
    })
    const answer = yield* Effect.result(
      agencies.query({
        source: check,
        caseId: stored.id,
        kind: stored.kind,
        subjects: members.map(({ m }) => ({ role: m.role, name: m.name, idNumber: m.idNumber })),
        requestDigest,
      }),
    )
    if (Result.isFailure(answer)) {
      t.failed += 1
      failures.push(`${stored.id} ${check}: ${answer.failure.message}`)
      continue
    }
    const evidence: Evidence = {
      source: check,
      at: now,
      requestDigest,
      result: answer.success.result,
      detail: answer.success.detail,
    }
    let warningId: string | null = null
    if (evidence.result === "fail") {
      t.findings += 1
      const warning = findingWarning(check, answer.success, {
        caseId: stored.id,
        period: t.period,
        cadence: t.cadence,
      })
      const subject = `case:${stored.id}`
      const keyed = { personIndex, category: warning.rule, level: warning.level, subject, period: t.period }
      const raised = yield* store.raise(
        makeWarningRecord({
          id: warningIdOf(keyed),
          warning,
          personIndex,
          district: stored.district,
          subject,
          period: t.period,
          raisedOn: on,
          raisedAt: now,
          raisedBy: "worker",
          caseId: stored.id,
        }),
      )
      if (raised.created) t.raised += 1
      warningId = raised.warning.id
    } else if (evidence.result === "pending") t.pending += 1
    const r = yield* store.recordCheck({
      caseId: stored.id,
      check,
      period: t.period,
      district: stored.district,
      evidence,
      warningId,
    })
    if (r.created) t.checked += 1
    else t.already += 1
  }
  return failures
})

/**
 * R82: whether the household still stands on 低保 as far as the records go — the case's own evidence (the
 * 低保 check at verification) and the 低保 results of earlier re-check periods, in time order. Only such a
 * household is asked (a change is what the re-check looks for); no personal data is needed to decide.
 */
const onDibao = Effect.fnUntraced(function* (stored: StoredCase) {
  const store = yield* WarningStore
  const earlier = (yield* store.checksOf(stored.id)).filter((r) => r.check === "dibao").map((r) => r.evidence)
  const evidence = [...stored.evidence, ...earlier].sort((a, b) => a.at - b.at)
  return dibaoRecheckApplies(stored.kind, evidence)
})

const LEVELS: ReadonlyArray<WarningLevel> = ["red", "orange", "yellow", "brown"]
const RULE = /^R[0-9]{1,3}$/u
const CASE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/u

export interface WarningListInput {
  readonly district?: string
  readonly levels?: ReadonlyArray<string>
  readonly rules?: ReadonlyArray<string>
  readonly caseId?: string
  readonly status?: string
  readonly after?: string
  readonly limit?: number
}

/**
 * The warning list (R24) within the actor's districts (`warnings.read`): open first, newest first (R85: what
 * a district officer sees at login). A district outside the scope lists nothing. Bad filters fail naming the
 * field (InvalidValue).
 */
export const listWarnings = Effect.fn("Supervision.listWarnings")(function* (
  actor: Actor,
  input: WarningListInput = {},
) {
  yield* requirePermission(actor, "warnings.read")
  const levels = input.levels ?? []
  for (const l of levels)
    if (!LEVELS.includes(l as WarningLevel))
      return yield* invalid("level", "R24.level", l, "expected red, orange, yellow or brown")
  for (const r of input.rules ?? [])
    if (!RULE.test(r)) return yield* invalid("rule", "R24.rule", r, "expected a rule id such as R85")
  if (input.district !== undefined && !/^[0-9]{6}$/u.test(input.district))
    return yield* invalid("district", "R24.district", input.district, "expected a 6-digit district code")
  if (input.caseId !== undefined && !CASE.test(input.caseId))
    return yield* invalid("caseId", "R24.case", input.caseId, "expected a case id")
  if (input.status !== undefined && input.status !== "open" && input.status !== "resolved")
    return yield* invalid("status", "R24.status", input.status, "expected open or resolved")
  const limit = input.limit ?? 100
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    return yield* invalid("limit", "R24.limit", limit, "expected an integer 1..500")
  const scope = scopeDistricts(actor)
  const districts =
    input.district === undefined
      ? scope
      : scope === undefined || scope.includes(input.district)
        ? [input.district]
        : []
  const store = yield* WarningStore
  return yield* store.list({
    limit,
    ...(districts === undefined ? {} : { districts }),
    ...(levels.length === 0 ? {} : { levels: levels as ReadonlyArray<WarningLevel> }),
    ...(input.rules === undefined || input.rules.length === 0 ? {} : { rules: input.rules }),
    ...(input.caseId === undefined ? {} : { caseId: input.caseId }),
    ...(input.status === undefined ? {} : { status: input.status as WarningStatus }),
    ...(input.after === undefined ? {} : { after: input.after }),
  })
})

/**
 * Resolves (处置) an open warning within the actor's districts (`warnings.manage`), with the actor and a
 * reason in its trail (R24 full disposal trail). Out of scope or unknown → WarningNotFound.
 */
export const resolveWarningAs = Effect.fn("Supervision.resolveWarning")(function* (
  actor: Actor,
  input: { readonly id: string; readonly reason: string },
) {
  yield* requirePermission(actor, "warnings.manage")
  const reason = input.reason.trim()
  if (reason.length === 0 || reason.length > 500)
    return yield* invalid("reason", "R24.reason", input.reason, "a reason of 1–500 characters is required")
  const store = yield* WarningStore
  const notFound = new WarningNotFound({
    id: input.id,
    message: "no such warning within this identity's reach",
  })
  const w = yield* store.get(input.id)
  if (Option.isNone(w) || !covers(actor, w.value.district)) return yield* notFound
  const at = yield* Clock.currentTimeMillis
  return yield* store.resolve({ id: input.id, by: actor.id, at, reason })
})
