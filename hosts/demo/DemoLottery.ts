/**
 * A drawn lottery round for `anju serve --demo` (摇号公示, R53), built the way a housing centre builds one: 24
 * demo 公租 cases for the demo estate's project 馨越公寓 (DEMO-PD-001) go through the case workflow to 已准入
 * (admitted) on a demo clock set 30 days back, the relay delivers their admission events into the project's
 * queue (what the worker does), each family is intention-marked (意愿标注, R46), the round is opened from the
 * queue (RoundsFromQueue, R53/R55: stratum `DEMO-PD-001/any`, units = the project's available units), drawn
 * with fixed notary digits, and the waiting numbers are written back onto the queue entries. The published pool
 * holds application numbers and strata only. Idempotent: once the round exists nothing is admitted, marked or
 * opened again; a round without a standing draw (after an annulment) is drawn again.
 */
import { Clock, Duration, Effect, Option } from "effect"
import { auditContextFor, withAuditContext } from "../../application/audit/AuditContext.js"
import type { Actor } from "../../application/cases/CaseActor.js"
import { openCaseCommand, runCaseCommand, runVerification } from "../../application/cases/CaseWorkflow.js"
import { allocationHandlers, makeRelay } from "../../application/jobs/OutboxRelay.js"
import { drawRound, standingDraw } from "../../application/lottery/LotteryRounds.js"
import { applyDrawToQueue } from "../../application/lottery/QueueWriteBack.js"
import { openRoundFromQueue } from "../../application/lottery/RoundsFromQueue.js"
import { LotteryStore } from "../../application/ports/LotteryStore.js"
import { markIntention } from "../../application/queue/Queues.js"
import { LOCAL_AUTHORITY } from "../../application/stock/StockAccess.js"
import { queueIdFor } from "../../domain/queue/QueueEntry.js"
import { checkCharacter } from "../../domain/values/ResidentIdNumber.js"
import { DEMO_PROJECTS } from "./DemoEstate.js"

export const DEMO_ROUND_ID = "DEMO-LR-2026-01"

const project = DEMO_PROJECTS[0]

/** The round's one stratum: the queue pool of families that name no unit type (R55: every available unit). */
export const DEMO_STRATUM = `${project.id}/any`

/**
 * Demo application numbers (申请编号) of the 24 admitted families; the round's pool is exactly these. Twice the
 * project's 12 available units: half win, half wait. (Each family costs 11 case commands on the first start.)
 */
export const DEMO_ENTRANTS: ReadonlyArray<{ readonly id: string; readonly stratum: string }> = Array.from(
  { length: 24 },
  (_, i) => ({ id: `GZ-PD-2026-${String(i + 1).padStart(4, "0")}`, stratum: DEMO_STRATUM }),
)

/** Notary digits (公证处 现场摇出的数字) of the demo draw. */
export const DEMO_SEED = [{ kind: "digits" as const, digits: "20261123", note: "浦东公证处（演示）" }]

const SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
const GIVEN = ["伟", "芳", "敏", "静", "磊", "洋", "艳", "军", "杰", "娟"]

/** A made-up resident ID number of 浦东 (310115) with a valid check character (GB 11643); demo only. */
const demoIdNumber = (i: number) => {
  const birth = `${1975 + (i % 20)}${String(1 + (i % 12)).padStart(2, "0")}${String(1 + (i % 28)).padStart(2, "0")}`
  const first17 = `310115${birth}${String(500 + i).padStart(3, "0")}`
  return `${first17}${checkCharacter(first17)}`
}

const pudong: Actor = { role: "district", id: "demo-pudong", district: "310115" }
const banjianku: Actor = { role: "system", id: "demo-banjianku", districts: "all" }
const city: Actor = { role: "city", id: "demo-city" }

/** Who the seeding acts as in the audit log (role `demo`). */
const DEMO_AUDIT = auditContextFor({ id: "demo-seed", role: "demo" }, { requestId: "demo-seed-lottery" })

/** A clock the seeding moves by hand: the notices' 7-day periods pass without waiting (demo only). */
const demoClock = (startMs: number) => {
  let now = startMs
  const clock: Clock.Clock = {
    currentTimeMillisUnsafe: () => now,
    currentTimeMillis: Effect.sync(() => now),
    currentTimeNanosUnsafe: () => BigInt(now) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => BigInt(now) * 1_000_000n),
    monotonicTimeNanosUnsafe: () => BigInt(now) * 1_000_000n,
    monotonicTimeNanos: Effect.sync(() => BigInt(now) * 1_000_000n),
    sleep: () => Effect.void,
  }
  const advance = (ms: number) =>
    Effect.sync(() => {
      now += ms
    })
  return { clock, advance }
}

const DAY = Duration.toMillis(Duration.days(1))

/**
 * The 24 demo families from application to 已准入 through the case workflow (the same commands as an officer's;
 * idempotency keys per case and step), starting 30 days before `now`.
 */
const admitDemoFamilies = (now: number) =>
  Effect.gen(function* () {
    const { clock, advance } = demoClock(now - 30 * DAY)
    const step = (i: number, name: string) => `demo-seed-lottery:${DEMO_ENTRANTS[i]!.id}:${name}`
    const each = <A, E, R>(f: (id: string, i: number) => Effect.Effect<A, E, R>) =>
      Effect.forEach(DEMO_ENTRANTS, (e, i) => f(e.id, i), { discard: true })
    const run = (actor: Actor, id: string, i: number, name: string, command: object) =>
      runCaseCommand(actor, id, { type: name, ...command } as never, step(i, name))
    const program = Effect.gen(function* () {
      yield* each((id, i) =>
        openCaseCommand(
          pudong,
          {
            id,
            kind: "gongzu",
            channel: "offline",
            district: project.district,
            projectId: project.id,
            members: [
              {
                role: "applicant",
                name: `${SURNAMES[i % SURNAMES.length]}${GIVEN[i % GIVEN.length]}`,
                idNumber: demoIdNumber(i),
                phone: "13800138000",
              },
            ],
            requiredMaterials: ["id_card"],
            receivedMaterials: ["id_card"],
          },
          step(i, "open"),
        ),
      )
      yield* each((id, i) => run(pudong, id, i, "submitDraft", {}))
      yield* each((id, i) => run(pudong, id, i, "accept", {}))
      yield* each((id, i) => runVerification(banjianku, id, {}, step(i, "verify")))
      yield* each((id, i) => run(pudong, id, i, "completeVerification", {}))
      yield* each((id, i) => run(pudong, id, i, "approveFirstReview", { location: "浦东新区花木街道公示栏" }))
      yield* advance(7 * DAY)
      yield* each((id, i) => run(pudong, id, i, "concludeFirstNotice", { objection: false }))
      yield* each((id, i) => run(city, id, i, "approveSecondReview", { location: "上海市住房保障网" }))
      yield* advance(7 * DAY)
      yield* each((id, i) => run(city, id, i, "concludeOnlineNotice", { objection: false }))
      yield* advance(DAY)
      yield* each((id, i) =>
        run(pudong, id, i, "admit", { certificateNumber: `GZ-2026-${String(900_001 + i)}` }),
      )
    })
    yield* program.pipe(Effect.provideService(Clock.Clock, clock))
  }).pipe(withAuditContext(DEMO_AUDIT))

/** Builds (if missing) and draws (if not standing) the demo round from the demo queue; returns its id. */
export const seedDemoLottery = Effect.gen(function* () {
  const store = yield* LotteryStore
  let round = yield* store.getRound(DEMO_ROUND_ID)
  if (Option.isNone(round)) {
    yield* admitDemoFamilies(yield* Clock.currentTimeMillis)
    // The worker's relay: each admission event puts its family into the project's queue (once).
    yield* makeRelay(allocationHandlers).runOnce()
    const queueId = queueIdFor(project.kind, project.id)
    for (const e of DEMO_ENTRANTS) yield* markIntention(city, { queueId, caseId: e.id, mark: "first" }) // R46 意愿标注
    yield* openRoundFromQueue(city, {
      roundId: DEMO_ROUND_ID,
      projectId: project.id,
      unitTypes: ["any"],
      title: `${project.name} 2026年第一批公租房摇号（演示）`,
    })
    round = yield* store.getRound(DEMO_ROUND_ID)
  }
  if (Option.isSome(round) && standingDraw(round.value) === undefined)
    yield* drawRound(LOCAL_AUTHORITY, { roundId: DEMO_ROUND_ID, seed: DEMO_SEED })
  // Waiting numbers onto the queue entries (drawRound does it; again here after an interrupted seeding).
  yield* applyDrawToQueue(DEMO_ROUND_ID)
  return DEMO_ROUND_ID
})
