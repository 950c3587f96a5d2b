/**
 * In-memory AgencyRecords with scripted answers (tests, scenario replays, demos). A script entry
 * matches on source and optionally on a subject's ID number or the case id; the first match answers,
 * otherwise `pass`. `fail: "timeout"` simulates an agency that does not answer. Every request is
 * recorded (digest only, no personal data) for assertions.
 */
import { Effect, Layer } from "effect"
import {
  AgencyRecords,
  AgencyRecordsError,
  type AgencyRequest,
} from "../../application/ports/AgencyRecords.js"
import type { CheckSource } from "../../domain/cases/Case.js"

export interface ScriptedAnswer {
  readonly source: CheckSource
  readonly idNumber?: string
  readonly caseId?: string
  readonly result?: "pass" | "fail" | "pending"
  readonly detail?: string
  readonly fail?: "timeout" | "unavailable"
}

export const make = (script: ReadonlyArray<ScriptedAnswer> = []) => {
  const requests: Array<{
    readonly source: CheckSource
    readonly caseId: string
    readonly requestDigest: string
  }> = []
  const service: AgencyRecords["Service"] = {
    query: (r: AgencyRequest) =>
      Effect.suspend(() => {
        requests.push({ source: r.source, caseId: r.caseId, requestDigest: r.requestDigest })
        const hit = script.find(
          (s) =>
            s.source === r.source &&
            (s.caseId === undefined || s.caseId === r.caseId) &&
            (s.idNumber === undefined || r.subjects.some((x) => x.idNumber === s.idNumber)),
        )
        if (hit?.fail === "timeout")
          return Effect.fail(new AgencyRecordsError({ reason: { _tag: "Timeout", source: r.source } }))
        if (hit?.fail === "unavailable")
          return Effect.fail(
            new AgencyRecordsError({
              reason: { _tag: "Unavailable", source: r.source, detail: "scripted outage" },
            }),
          )
        return Effect.succeed({
          result: hit?.result ?? "pass",
          detail: hit?.detail ?? `${r.source}: 核查通过`,
        })
      }),
  }
  return { service, requests: requests as ReadonlyArray<(typeof requests)[number]> }
}

export const layer = (script: ReadonlyArray<ScriptedAnswer> = []): Layer.Layer<AgencyRecords> =>
  Layer.succeed(AgencyRecords, make(script).service)
