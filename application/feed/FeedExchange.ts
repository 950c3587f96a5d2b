/**
 * Use-cases of the regulator feed (M116–M125, M184, M185): `signBatch` builds and signs a batch through
 * the Signer port; `importBatch` verifies a received batch (a bad signature, digest or chain refuses it
 * whole), checks it comes from the tier directly below and carries no household detail above the city
 * tier (M184), cleanses it (M185) and stores it idempotently in the tier's own FeedStore (M125);
 * `upwardFigures` aggregates what a tier holds for its own batch upward; `feedReport` gives the theme
 * metrics (M129–M132, M190).
 */
import { Clock, Data, Effect, Option, Result } from "effect"
import { aggregateFigures, figuresOfDetail, type Figures } from "../../domain/feed/Aggregation.js"
import {
  batchDigest,
  type BatchHeader,
  buildBatch,
  chainProblem,
  describeFailure,
  type Manifest,
  manifestText,
  signingBytes,
  verifyBatch,
} from "../../domain/feed/Batch.js"
import { cleanse } from "../../domain/feed/Cleansing.js"
import { detailFromJournal } from "../../domain/feed/FundSource.js"
import type { CivilDate } from "../../domain/values/CivilDate.js"
import { Ledger } from "../ports/Ledger.js"
import {
  type Category,
  categories,
  type FeedRecord,
  kinds,
  type Tier,
  tierAbove,
} from "../../domain/feed/FeedRecord.js"
import { type ThemeReport, themeReport } from "../../domain/feed/ThemeMetrics.js"
import { FeedStore, type Receipt } from "../ports/FeedStore.js"
import { Signer } from "../ports/Signer.js"

/** A batch refused whole: which check, which file, why (M185: bad signature or broken chain). */
export class FeedRefused extends Data.TaggedError("FeedRefused")<{
  readonly check: string
  readonly file: string
  readonly detail: string
}> {
  override get message(): string {
    return `${this.file}: ${this.check}: ${this.detail}`
  }
}

export interface SignedBatch {
  readonly manifest: Manifest
  /** Text of `manifest.json`. */
  readonly manifestText: string
  readonly parts: Readonly<Record<Category, string>>
  readonly digest: string
}

/** Builds the parts and manifest of `records` under `header` and signs the manifest (SM2-SM3). */
export const signBatch = Effect.fn("Feed.signBatch")(function* (
  header: BatchHeader,
  records: ReadonlyArray<FeedRecord>,
) {
  const signer = yield* Signer
  const { manifest, parts } = buildBatch(header, records)
  const signature = yield* signer.sign(signingBytes(manifest))
  const signed: Manifest = { ...manifest, signature }
  return {
    manifest: signed,
    manifestText: manifestText(signed),
    parts,
    digest: batchDigest(signed),
  } satisfies SignedBatch
})

export interface ImportOptions {
  /** The receiving tier. */
  readonly tier: Tier
  /** Accepted signing keys; empty: any key (pinned per sender at first contact). */
  readonly trustedKeys?: ReadonlyArray<string>
}

/** Verifies, checks tier and detail, cleanses and stores one batch; the receipt says what was accepted. */
export const importBatch = Effect.fn("Feed.importBatch")(function* (
  files: {
    readonly manifest: string | undefined
    readonly parts: Readonly<Partial<Record<Category, string>>>
  },
  options: ImportOptions,
) {
  const store = yield* FeedStore
  const verified = verifyBatch(
    files,
    options.trustedKeys === undefined ? {} : { trustedKeys: options.trustedKeys },
  )
  if (Result.isFailure(verified)) return yield* Effect.fail(new FeedRefused(verified.failure))
  const { manifest: m, digest, records } = verified.success
  const refuse = (check: string, detail: string) => new FeedRefused({ check, file: "manifest.json", detail })
  if (tierAbove(m.sender.tier) !== options.tier)
    return yield* Effect.fail(
      refuse(
        "M184.tier",
        `a ${options.tier} tier takes batches from the tier below it, not from a ${m.sender.tier}`,
      ),
    )
  const all = categories.flatMap((c) => records[c])
  if (options.tier !== "city" && all.some((r) => kinds[r.kind]?.household === true))
    return yield* Effect.fail(refuse("M184.detail", "household detail never leaves the city tier"))
  // A replay is a no-op even when the chain has moved on since.
  const head = yield* store.head(m.sender.id)
  if (Option.isSome(head) && head.value.digest === digest)
    return yield* store.store({ manifest: m, digest, accepted: [], rejected: [], receivedAt: 0 })
  const problem = chainProblem(Option.getOrUndefined(head), m)
  if (problem !== undefined && problem._tag === "KeyMismatch")
    return yield* Effect.fail(refuse("public-key", problem.detail))
  const detail = all.some((r) => r.kind !== "figures" && r.kind !== "balance" && r.kind !== "organisation")
  const ctx = { period: m.period, province: m.sender.province, city: m.sender.city }
  const { accepted, rejected } = cleanse(all, {
    period: m.period,
    ...(detail ? { recompute: (d: ReadonlyArray<FeedRecord>) => figuresOfDetail(d, ctx) } : {}),
  })
  // At the city tier the detail's figures are what counts upward; a county may leave them out.
  const stored =
    detail && !accepted.some((r) => r.kind === "figures")
      ? [...accepted, ...figuresOfDetail(accepted, ctx)]
      : accepted
  const receivedAt = yield* Clock.currentTimeMillis
  return yield* store.store({ manifest: m, digest, accepted: stored, rejected, receivedAt })
})

/**
 * A tier's own batch from detail it collected (M122): cleansed first (rejections returned, never sent),
 * then figures per county × stage; a county batch carries the detail and its figures, a city batch only
 * the figures (M184: household detail stays at the city).
 */
export const exportDetail = Effect.fn("Feed.exportDetail")(function* (
  header: BatchHeader,
  detail: ReadonlyArray<unknown>,
) {
  const ctx = { period: header.period, province: header.sender.province, city: header.sender.city }
  const { accepted, rejected } = cleanse(detail, { period: header.period })
  const figures = figuresOfDetail(accepted, ctx)
  const records = header.sender.tier === "county" ? [...accepted, ...figures] : figures
  const batch = yield* signBatch(header, records)
  return { batch, rejected }
})

/** The city's (or a county's) batch from the fund journal stored in the business database, as of `asOf`. */
export const exportFromLedger = Effect.fn("Feed.exportFromLedger")(function* (
  header: BatchHeader,
  county: string,
) {
  const ledger = yield* Ledger
  const journal = yield* ledger.journal()
  const detail = detailFromJournal(journal, header.asOf as CivilDate, county)
  if (Result.isFailure(detail))
    return yield* Effect.die(new Error(`the stored journal does not replay: ${detail.failure.message}`))
  return yield* exportDetail(header, detail.success)
})

/** Figures of everything current at this tier for `period`, aggregated (the tier's own batch upward). */
export const upwardFigures = Effect.fn("Feed.upwardFigures")(function* (period: string) {
  const store = yield* FeedStore
  return aggregateFigures(yield* store.figures([period]))
})

/** Theme metrics for `period` at `tier` from the current figures (with the months 同比/环比 need). */
export const feedReport = Effect.fn("Feed.report")(function* (period: string, tier: Tier) {
  const store = yield* FeedStore
  const figures: ReadonlyArray<Figures> = yield* store.figures()
  return themeReport(aggregateFigures(figures), period, tier) satisfies ThemeReport
})

export type { Receipt }

/** Summary line of a verification failure (re-exported for hosts). */
export { describeFailure }
