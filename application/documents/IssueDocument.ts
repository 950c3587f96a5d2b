/**
 * Issuing a document (出具文书): render a laid-out document and apply its seals in order, each seal an
 * incremental update over the previous bytes (lessor first, tenant second: R89/R90). Signing time comes
 * from the Clock. Authorisation and numbering stay with the calling use-case (contracts, cases, fund).
 */
import { Clock, Effect } from "effect"
import type { DocumentLayout } from "../../domain/documents/Document.js"
import { DocumentRenderer } from "../ports/DocumentRenderer.js"
import { Sealer, type SealRequest } from "../ports/Sealer.js"

/** A seal to apply; the signing time is taken from the Clock when it is applied. */
export type SealOrder = Omit<SealRequest, "signingTime">

/** The PDF of `layout` with `seals` applied in the given order. */
export const issueDocument = Effect.fn("Documents.issue")(function* (
  layout: DocumentLayout,
  seals: ReadonlyArray<SealOrder>,
) {
  const renderer = yield* DocumentRenderer
  const sealer = yield* Sealer
  let pdf = yield* renderer.render(layout)
  for (const s of seals) {
    const now = yield* Clock.currentTimeMillis
    pdf = yield* sealer.seal(pdf, { ...s, signingTime: new Date(now) })
  }
  return pdf
})
