/**
 * Queue fixtures shared by the queue tests: an admitted 保租 case of project P1 (certificate valid through
 * 2027-01-04), committed to the CaseStore as the workflow would leave it and entered into its queue at
 * `at` — the state the admission event produces.
 */
import { Effect } from "effect"
import { CaseStore } from "../application/ports/CaseStore.js"
import { enterQueue } from "../application/queue/Queues.js"
import type { CivilDate } from "../domain/values/CivilDate.js"
import { storedCase } from "./CaseStore.contract.js"

export const seedQueuedBaozuCase = (id: string, at: number) =>
  Effect.gen(function* () {
    const c = storedCase(id, {
      kind: "baozu",
      state: "admitted",
      projectId: "P1",
      certificate: {
        number: `N-${id}`,
        validFrom: "2026-01-05" as CivilDate,
        validUntil: "2027-01-04" as CivilDate,
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
        key: `k-${id}`,
        requestDigest: "d",
        caseId: c.id,
        outcome: { state: c.state, version: 1 },
      },
    })
    return yield* enterQueue({ caseId: id, eventKey: `queue.entry:${id}`, at })
  })
