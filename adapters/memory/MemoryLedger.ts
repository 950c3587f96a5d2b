/**
 * In-memory Ledger: the reference implementation of the port, tuned for throughput (mutable maps, one
 * pass per batch). A batch is validated and applied against an overlay first, so it lands whole or not
 * at all. Entry validation and the content fingerprint are the domain's (JournalEntry). The SM3 chain
 * is sealed lazily — hashes are computed for new entries when `verify` runs — since nothing outside
 * this closure can alter a stored entry; the chain itself is the domain's (JournalChain).
 */
import { Effect, Layer, Result } from "effect"
import {
  type AccountBalance,
  Ledger,
  LedgerError,
  type LedgerErrorReason,
} from "../../application/ports/Ledger.js"
import { type Book, accountsOf } from "../../domain/fund/ChartOfAccounts.js"
import { type ChainedEntry, GENESIS_HASH, chainHash, verifyChain } from "../../domain/fund/JournalChain.js"
import { type JournalEntry, fingerprint, validateEntry } from "../../domain/fund/JournalEntry.js"
import type { HouseholdBalance } from "../../domain/fund/Ledger.js"
import type { HouseholdId } from "../../domain/fund/HouseholdId.js"
import { compareIds } from "../../domain/fund/HouseholdId.js"
import type { Money } from "../../domain/values/Money.js"

interface Sub {
  principal: number
  income: number
}

const MAX = Number.MAX_SAFE_INTEGER
const fail = (reason: LedgerErrorReason) => Effect.fail(new LedgerError({ reason }))

export const make = Effect.sync(() => {
  const entries: JournalEntry[] = []
  /** id → stored entry; fingerprints are computed only when an id comes back (replay or conflict). */
  const byId = new Map<string, JournalEntry>()
  const hashes: string[] = []
  const accounts: Record<Book, Map<string, number>> = { commodity: new Map(), public: new Map() }
  const households: Record<Book, Map<string, Sub>> = { commodity: new Map(), public: new Map() }

  const post = (batch: ReadonlyArray<JournalEntry>) =>
    Effect.suspend(() => {
      const fresh: JournalEntry[] = []
      const inBatch = new Map<string, JournalEntry>()
      let unchanged = 0
      const accOverlay: Record<Book, Map<string, number>> = { commodity: new Map(), public: new Map() }
      const hhOverlay: Record<Book, Map<string, Sub>> = { commodity: new Map(), public: new Map() }
      for (const e of batch) {
        const v = validateEntry(e)
        if (Result.isFailure(v))
          return fail({
            _tag: "InvalidEntry",
            entryId: String(e.id),
            rule: v.failure.rule,
            detail: v.failure.message,
          })
        const prior = byId.get(e.id) ?? inBatch.get(e.id)
        if (prior !== undefined) {
          if (prior !== e && fingerprint(prior) !== fingerprint(e))
            return fail({ _tag: "Conflict", entryId: e.id })
          unchanged += 1
          continue
        }
        inBatch.set(e.id, e)
        const acc = accOverlay[e.book]
        const hhs = hhOverlay[e.book]
        for (const l of e.lines) {
          const ab =
            (acc.get(l.account) ?? accounts[e.book].get(l.account) ?? 0) +
            (l.side === "debit" ? l.amount : -l.amount)
          if (ab > MAX || ab < -MAX)
            return fail({
              _tag: "InvalidEntry",
              entryId: e.id,
              rule: "money.safe-range",
              detail: `account ${l.account} leaves the safe range`,
            })
          acc.set(l.account, ab)
          if (l.subAccount === undefined) continue
          let s = hhs.get(l.subAccount.household)
          if (s === undefined) {
            const cur = households[e.book].get(l.subAccount.household)
            s = { principal: cur?.principal ?? 0, income: cur?.income ?? 0 }
            hhs.set(l.subAccount.household, s)
          }
          s[l.subAccount.component] += l.side === "credit" ? l.amount : -l.amount
        }
        for (const l of e.lines) {
          if (l.subAccount === undefined) continue
          if (hhs.get(l.subAccount.household)![l.subAccount.component] < 0)
            return fail({
              _tag: "Overdrawn",
              entryId: e.id,
              book: e.book,
              household: l.subAccount.household,
              component: l.subAccount.component,
            })
        }
        fresh.push(e)
      }
      for (const book of ["commodity", "public"] as const) {
        for (const [k, v] of accOverlay[book]) accounts[book].set(k, v)
        for (const [k, v] of hhOverlay[book]) households[book].set(k, v)
      }
      for (const e of fresh) {
        entries.push(e)
        byId.set(e.id, e)
      }
      return Effect.succeed({ posted: fresh.length, unchanged })
    })

  const accountBalances = (book: Book) =>
    Effect.sync((): ReadonlyArray<AccountBalance> => {
      const m = accounts[book]
      return accountsOf(book).flatMap((a) => {
        const raw = m.get(a.code)
        if (raw === undefined || !a.postable) return []
        return [{ account: a.code, balance: (a.normalSide === "debit" ? raw : 0 - raw) as Money }]
      })
    })

  const householdBalances = (book: Book) =>
    Effect.sync(
      (): ReadonlyArray<HouseholdBalance> =>
        [...households[book].entries()]
          .sort((a, b) => compareIds(a[0], b[0]))
          .map(([h, s]) => ({
            household: h as HouseholdId,
            principal: s.principal as Money,
            income: s.income as Money,
          })),
    )

  /** Computes the hashes of entries not yet sealed (the chain over posting order). */
  const seal = () => {
    for (let i = hashes.length; i < entries.length; i++)
      hashes.push(chainHash(i + 1, i === 0 ? GENESIS_HASH : hashes[i - 1]!, entries[i]!))
  }

  const verify = () =>
    Effect.sync(() => {
      seal()
      const records: ChainedEntry[] = entries.map((entry, i) => ({
        seq: i + 1,
        entry,
        prevHash: i === 0 ? GENESIS_HASH : hashes[i - 1]!,
        hash: hashes[i]!,
      }))
      return verifyChain(records)
    })

  return Ledger.of({
    post,
    accountBalances,
    householdBalances,
    journal: () => Effect.sync(() => entries.slice()),
    verify,
  })
})

export const layer = Layer.effect(Ledger, make)
