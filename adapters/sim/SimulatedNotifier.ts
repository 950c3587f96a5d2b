/**
 * SIMULATOR of the SMS / message gateway (短信模拟器) for demos and tests: it sends nothing and records
 * what would have been sent, once per notice id (like a gateway's client message id). For fault tests it
 * can fail on purpose, seeded: before recording (nothing sent) or after recording (sent, but the caller
 * sees an error, as when an acknowledgement is lost) — the relay must still end with one notice per id.
 */
import { Effect, Layer } from "effect"
import { type Notice, Notifier, NotifierError } from "../../application/ports/Notifier.js"

export interface SimulatorOptions {
  /** Share of calls that fail before anything is recorded (0–1). Default 0. */
  readonly failBefore?: number
  /** Share of calls that record the notice, then fail (lost acknowledgement). Default 0. */
  readonly failAfter?: number
  /** Seed of the failure draws (mulberry32). Default 1. */
  readonly seed?: number
}

/** mulberry32: a small seeded generator, so a fault run replays exactly. */
const seeded = (seed: number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface NotifierSimulator {
  readonly service: Notifier["Service"]
  /** Every notice recorded, in order, once per id. */
  readonly sent: () => ReadonlyArray<Notice>
  /** Calls answered (including duplicates and injected failures). */
  readonly calls: () => number
}

export const makeSimulator = (options: SimulatorOptions = {}): NotifierSimulator => {
  const draw = seeded(options.seed ?? 1)
  const byId = new Map<string, Notice>()
  let calls = 0
  const unavailable = (detail: string) => new NotifierError({ reason: { _tag: "Unavailable", detail } })
  const service = Notifier.of({
    send: (notice) =>
      Effect.suspend(() => {
        calls += 1
        if (draw() < (options.failBefore ?? 0)) return Effect.fail(unavailable("simulated gateway outage"))
        const duplicate = byId.has(notice.id)
        if (!duplicate) byId.set(notice.id, structuredClone(notice))
        if (draw() < (options.failAfter ?? 0))
          return Effect.fail(unavailable("simulated lost acknowledgement"))
        return Effect.succeed({ duplicate })
      }),
  })
  return { service, sent: () => [...byId.values()], calls: () => calls }
}

/** A Notifier that records notices and never fails. */
export const layer = (options: SimulatorOptions = {}): Layer.Layer<Notifier> =>
  Layer.sync(Notifier, () => makeSimulator(options).service)
