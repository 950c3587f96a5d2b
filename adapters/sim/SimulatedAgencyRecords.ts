/**
 * SIMULATOR of the other agencies' data sources (外部核查模拟器) for demos and integration tests — it
 * talks to no agency. Answers are deterministic functions of the request: a (source, ID number) pair
 * fails when its SHA-256 digest falls under `failPerMille`, or when the ID number is listed; listed
 * sources answer `pending`. Latency is simulated on the Effect clock (TestClock-friendly) and a slower
 * answer than `timeout` becomes the port's Timeout error. Details never repeat personal data.
 */
import { createHash } from "node:crypto"
import { Duration, Effect, Layer, Option } from "effect"
import {
  type AgencyAnswer,
  AgencyRecords,
  AgencyRecordsError,
  type AgencyRequest,
} from "../../application/ports/AgencyRecords.js"
import type { CheckSource } from "../../domain/cases/Case.js"

export interface SimulatorOptions {
  /** Share of (source, ID number) pairs that fail, per mille (0–1000), chosen by digest. Default 0. */
  readonly failPerMille?: number
  /** ID numbers for which every check fails (to demonstrate a failed verification). */
  readonly failingIdNumbers?: ReadonlyArray<string>
  /**
   * ID numbers for which only the named sources fail — e.g. `{ dibao: [id] }`: a household whose 低保 has
   * stopped (R82), found by the periodic 低保 re-check while every other check still passes.
   */
  readonly failingBySource?: Readonly<Partial<Record<CheckSource, ReadonlyArray<string>>>>
  /** Sources that answer `pending` (asynchronous channels such as the offline housing check, R79). */
  readonly pendingSources?: ReadonlyArray<CheckSource>
  /** Simulated answer time per query. Default 0. */
  readonly latency?: Duration.Input
  /** The adapter's deadline per query; a slower answer fails with Timeout. Default 5 seconds. */
  readonly timeout?: Duration.Input
}

/** Whether the simulator fails this (source, ID number) pair; exported so tests can pick subjects. */
export const failsByDigest = (source: CheckSource, idNumber: string, failPerMille: number): boolean =>
  createHash("sha256").update(`${source}|${idNumber}`).digest().readUInt16BE(0) % 1000 < failPerMille

export const make = (options: SimulatorOptions = {}): AgencyRecords["Service"] => {
  const failPerMille = Math.min(1000, Math.max(0, Math.trunc(options.failPerMille ?? 0)))
  const failing = new Set(options.failingIdNumbers ?? [])
  const failingBySource = new Map(
    Object.entries(options.failingBySource ?? {}).map(([source, ids]) => [source, new Set(ids)]),
  )
  const pending = new Set(options.pendingSources ?? [])
  const latency = Duration.fromInputUnsafe(options.latency ?? 0)
  const timeout = Duration.fromInputUnsafe(options.timeout ?? "5 seconds")
  const answer = (r: AgencyRequest): AgencyAnswer => {
    if (pending.has(r.source))
      return { result: "pending", detail: `${r.source}: 模拟器 — 结果隔日返回 (simulated pending answer)` }
    const failed = r.subjects.filter(
      (s) =>
        failing.has(s.idNumber) ||
        failingBySource.get(r.source)?.has(s.idNumber) === true ||
        failsByDigest(r.source, s.idNumber, failPerMille),
    )
    // 低保 (R82) is a household's status: pass = 低保在保, fail = no 低保 in payment (never granted or stopped).
    if (r.source === "dibao")
      return failed.length === 0
        ? { result: "pass", detail: "dibao: 模拟器 — 低保在保 (simulated)" }
        : {
            result: "fail",
            detail: `dibao: 模拟器 — ${failed.map((s) => s.role).join(", ")} 未查到在保低保记录 (simulated)`,
          }
    return failed.length === 0
      ? { result: "pass", detail: `${r.source}: 模拟器 — 核查通过 (simulated)` }
      : {
          result: "fail",
          detail: `${r.source}: 模拟器 — ${failed.map((s) => s.role).join(", ")} 核查不通过 (simulated)`,
        }
  }
  return {
    query: (r) =>
      Effect.sleep(latency).pipe(
        Effect.as(answer(r)),
        Effect.timeoutOption(timeout),
        Effect.flatMap(
          Option.match({
            onNone: () =>
              Effect.fail(new AgencyRecordsError({ reason: { _tag: "Timeout", source: r.source } })),
            onSome: Effect.succeed,
          }),
        ),
      ),
  }
}

export const layer = (options: SimulatorOptions = {}): Layer.Layer<AgencyRecords> =>
  Layer.succeed(AgencyRecords, make(options))
