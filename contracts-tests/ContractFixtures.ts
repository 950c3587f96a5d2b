/**
 * Contract fixtures: a drawn round's session (SelectionFixtures) in which the first family of the 1-1
 * stratum has chosen a unit (let by the choice), and that family's admitted 公租 qualification case (an
 * applicant and one co-resident) in the CaseStore — the selection binding a contract is drafted from.
 */
import { Effect } from "effect"
import { CaseStore } from "../application/ports/CaseStore.js"
import { checkIn, choose, openSession } from "../application/selection/Selections.js"
import { LOCAL_AUTHORITY } from "../application/stock/StockAccess.js"
import type { CivilDate } from "../domain/values/CivilDate.js"
import { storedCase } from "./CaseStore.contract.js"
import { seedDrawnRound } from "./SelectionFixtures.js"

export const seedBinding = (tag: string, at: number) =>
  Effect.gen(function* () {
    const round = yield* seedDrawnRound(tag)
    const opened = yield* openSession(LOCAL_AUTHORITY, { roundId: round.roundId })
    const sessionId = opened.session.sessionId
    const family = opened.session.families.find((f) => f.stratum === round.strata.oneRoom && f.rank === 1)!
    const unitId = opened.session.units.find((u) => u.stratum === family.stratum)!.id
    yield* checkIn(LOCAL_AUTHORITY, { sessionId, barcode: family.barcode })
    yield* choose(LOCAL_AUTHORITY, { sessionId, family: family.id, unit: unitId })
    const base = storedCase(family.id)
    const c = storedCase(family.id, {
      kind: "gongzu",
      state: "admitted",
      projectId: round.projectId,
      members: [
        ...base.members,
        { ...base.members[0]!, role: "co_resident", idIndex: `idx-${family.id}-spouse` },
      ],
      certificate: {
        number: `N-${family.id}`,
        validFrom: "2026-01-05" as CivilDate,
        validUntil: "2028-01-04" as CivilDate,
      },
    })
    yield* (yield* CaseStore).commit({
      case: c,
      expectedVersion: 0,
      history: {
        caseId: c.id,
        version: 1,
        at,
        actorId: "t",
        actorRole: "city",
        command: "t",
        from: null,
        to: c.state,
        note: "",
      },
      events: [],
      command: {
        actorId: "t",
        key: `k-${c.id}`,
        requestDigest: "d",
        caseId: c.id,
        outcome: { state: c.state, version: 1 },
      },
    })
    return {
      round,
      sessionId,
      family: family.id,
      unitId,
      tenantIndex: `idx-${family.id}`,
      otherUnits: round.units.filter((u) => u.id !== unitId),
    }
  })
