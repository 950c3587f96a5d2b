/**
 * SIMULATOR of the SMS / message gateway (短信模拟器) that remembers durably: a notice is "sent" by recording
 * its id in the queue's `job_effects` table (handler `notifier.simulated`) in the host's own database, so a
 * notice id is delivered once even across worker restarts and crashes (what a real gateway's client message
 * id gives). Nothing leaves the machine; `onSent` sees each first delivery (the worker logs it).
 */
import { Clock, Effect, Layer } from "effect"
import { type Notice, Notifier, NotifierError } from "../../application/ports/Notifier.js"
import { jobTables } from "./PgJobQueue.js"
import { PgDatabase, sqlStateOf, unavailableText } from "./PgDatabase.js"

/** The `job_effects.handler` value of simulated notices. */
export const SIMULATED_NOTICE = "notifier.simulated"

export const make = (onSent: (notice: Notice) => void = () => {}) =>
  Effect.gen(function* () {
    const db = jobTables(yield* PgDatabase)
    return Notifier.of({
      send: (notice) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const row = yield* Effect.tryPromise({
            try: () =>
              db
                .insertInto("job_effects")
                .values({ handler: SIMULATED_NOTICE, event_id: notice.id, at: now })
                .onConflict((oc) => oc.columns(["handler", "event_id"]).doNothing())
                .returning("event_id")
                .executeTakeFirst(),
            catch: (e) =>
              new NotifierError({ reason: { _tag: "Unavailable", detail: unavailableText(sqlStateOf(e)) } }),
          })
          if (row !== undefined) onSent(notice)
          return { duplicate: row === undefined }
        }),
    })
  })

/** The durable simulator over the host's PgDatabase (PostgreSQL or PGlite). */
export const layer = (onSent?: (notice: Notice) => void): Layer.Layer<Notifier, never, PgDatabase> =>
  Layer.effect(Notifier, make(onSent))
