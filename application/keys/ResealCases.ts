/**
 * Re-wrapping after a key rotation (密钥轮换后的重新封装): walks every stored case in id order and replaces
 * each sealed value by the same value with its data key wrapped under the current key version (values of
 * the pre-envelope format and income/assets still in clear are sealed now). Each case is swapped on its own
 * (`CaseStore.resealCase`, version-checked, no new version or history), so hosts keep reading and writing
 * throughout: a reader sees the old row (its key version still unwraps) or the new one. A case changed
 * meanwhile is read again and retried. Nothing is opened for the caller; no plaintext leaves the cipher.
 */
import { Effect, Option } from "effect"
import { CaseStore, type StoredCase, type StoredEconomy, type StoredMember } from "../ports/CaseStore.js"
import { FieldCipher, type SealedField, type SensitiveField } from "../ports/FieldCipher.js"

export interface ResealReport {
  readonly casesScanned: number
  /** Cases whose row was swapped. */
  readonly casesResealed: number
  /** Sealed values re-wrapped or re-sealed, plain income/assets values sealed. */
  readonly valuesMoved: number
  /** Swaps that lost to a concurrent change and were done again on the fresh row. */
  readonly retried: number
}

export interface ResealOptions {
  /** Cases read per page (default 200). */
  readonly batch?: number
  /** Called after every page with the running totals. */
  readonly onProgress?: (report: ResealReport) => void
}

const MAX_RETRIES = 5

/** The case with every sealed value current; `moved` counts the values that changed. */
const resealOne = (s: StoredCase) =>
  Effect.gen(function* () {
    const cipher = yield* FieldCipher
    let moved = 0
    const rewrap = (field: SensitiveField, v: SealedField) =>
      Effect.map(cipher.rewrap(field, v), (o) => {
        if (Option.isNone(o)) return v
        moved += 1
        return o.value
      })
    const sealedOrPlain = (field: SensitiveField, v: SealedField | string) =>
      typeof v === "string"
        ? Effect.map(cipher.seal(field, v), (sealed) => {
            moved += 1
            return sealed
          })
        : rewrap(field, v)
    const members = yield* Effect.forEach(s.members, (m) =>
      Effect.gen(function* () {
        return {
          ...m,
          name: yield* rewrap("name", m.name),
          idNumber: yield* rewrap("idNumber", m.idNumber),
          phone: m.phone === null ? null : yield* rewrap("phone", m.phone),
          bankCard: m.bankCard === null ? null : yield* rewrap("bankCard", m.bankCard),
        } satisfies StoredMember
      }),
    )
    const economy: StoredEconomy | null =
      s.economy === null
        ? null
        : {
            ...s.economy,
            annualDisposableIncome: yield* sealedOrPlain("income", s.economy.annualDisposableIncome),
            property: yield* sealedOrPlain("assets", s.economy.property),
          }
    return { next: { ...s, members, economy } satisfies StoredCase, moved }
  })

/** One pass over every case (see the module header). Idempotent: a second pass right after moves nothing. */
export const resealCases = Effect.fn("Keys.resealCases")(function* (options: ResealOptions = {}) {
  const store = yield* CaseStore
  const limit = options.batch ?? 200
  let report: ResealReport = { casesScanned: 0, casesResealed: 0, valuesMoved: 0, retried: 0 }
  let after: StoredCase["id"] | undefined
  for (;;) {
    const page = yield* store.list({ limit, ...(after === undefined ? {} : { after }) })
    for (const first of page.items) {
      let current: StoredCase = first
      for (let attempt = 0; ; attempt++) {
        const { next, moved } = yield* resealOne(current)
        if (moved === 0) break
        if (yield* store.resealCase(next, current.version)) {
          report = {
            ...report,
            casesResealed: report.casesResealed + 1,
            valuesMoved: report.valuesMoved + moved,
          }
          break
        }
        // Changed meanwhile (a host committed a new version): read it again; its new values may be current.
        const fresh = yield* store.get(current.id)
        if (Option.isNone(fresh) || attempt >= MAX_RETRIES) break
        current = fresh.value
        report = { ...report, retried: report.retried + 1 }
      }
      report = { ...report, casesScanned: report.casesScanned + 1 }
    }
    options.onProgress?.(report)
    if (page.next === null) return report
    after = page.next
  }
})

/**
 * How many stored values carry each key label (`SealedField.keyId`, e.g. `anju-field@2`, `sm4-1` for the
 * pre-envelope format), and `plain` for income/assets still in clear. Reads only; opens nothing.
 */
export const countSealedByKey = Effect.fn("Keys.countSealedByKey")(function* (batch = 500) {
  const store = yield* CaseStore
  const counts = new Map<string, number>()
  const add = (v: SealedField | string | null) => {
    if (v === null) return
    const label = typeof v === "string" ? "plain" : v.keyId
    counts.set(label, (counts.get(label) ?? 0) + 1)
  }
  let after: StoredCase["id"] | undefined
  for (;;) {
    const page = yield* store.list({ limit: batch, ...(after === undefined ? {} : { after }) })
    for (const s of page.items) {
      for (const m of s.members) for (const v of [m.name, m.idNumber, m.phone, m.bankCard]) add(v)
      if (s.economy !== null) {
        add(s.economy.annualDisposableIncome)
        add(s.economy.property)
      }
    }
    if (page.next === null) return new Map([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    after = page.next
  }
})
