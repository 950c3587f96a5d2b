/**
 * A demo city for the regulator feed (`anju feed export --demo`): two counties, property areas in both
 * stages (代管/自管), buildings, households with floor areas and fund balances, and a month of deposits,
 * uses, value-added income and cases. Deterministic in (households, period, seed); area totals equal the
 * sums of their households, so the batch passes cleansing. Also used by tests and the benchmark.
 * The demo SM2 key is public and for demonstrations only.
 */
import type { Sender } from "../../domain/feed/Batch.js"
import type { FeedRecord } from "../../domain/feed/FeedRecord.js"

/** Demo signing key (public knowledge: never use it for real data). */
export const DEMO_FEED_KEY = "6a3c8f1e2b4d5a6978c0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6"

export const DEMO_CITY: Sender = {
  id: "city-370800",
  name: "济宁市住房保障和维修资金监管平台 (demo)",
  tier: "city",
  province: "370000",
  city: "370800",
}

export interface DemoCityOptions {
  readonly period: string
  /** Households in the whole city (default 240). */
  readonly households?: number
  readonly seed?: number
  readonly sender?: Sender
}

/** xorshift32: a small deterministic generator for demo figures. */
const rng = (seed: number) => {
  let s = seed >>> 0 || 0x9e3779b9
  return (n: number): number => {
    s ^= s << 13
    s >>>= 0
    s ^= s >>> 17
    s ^= s << 5
    s >>>= 0
    return s % n
  }
}

const COUNTIES = ["370811", "370812"] as const

/** The city's detail records for one period (no figures: derive them with `figuresOfDetail`). */
export const demoCityDetail = (options: DemoCityOptions): ReadonlyArray<FeedRecord> => {
  const total = options.households ?? 240
  const next = rng(options.seed ?? 2026)
  const period = options.period
  const records: Array<FeedRecord> = []
  const perArea = 40
  const areaCount = Math.max(1, Math.ceil(total / perArea))
  let household = 0
  let deposit = 0
  let cityBalance = 0
  for (let a = 0; a < areaCount; a++) {
    const areaId = `A${String(a + 1).padStart(5, "0")}`
    const county = COUNTIES[a % COUNTIES.length]!
    const stage = a % 3 === 2 ? "self-managed" : "custody"
    const inArea = Math.min(perArea, total - household)
    let floor = 0
    let balance = 0
    const buildings = Math.max(1, Math.ceil(inArea / 20))
    for (let b = 0; b < buildings; b++)
      records.push({ kind: "building", id: `${areaId}-B${b + 1}`, area: areaId, name: `${b + 1}号楼` })
    for (let h = 0; h < inArea; h++) {
      household += 1
      const id = `H${String(household).padStart(7, "0")}`
      const floorArea = 6_000 + next(8_000)
      const principal = floorArea * (30 + next(20))
      const income = next(5_000)
      floor += floorArea
      balance += principal + income
      records.push({ kind: "household", id, building: `${areaId}-B${Math.floor(h / 20) + 1}`, floorArea })
      records.push({ kind: "household-account", id, book: "commodity", principal, income })
      if (next(10) === 0) {
        deposit += 1
        const due = floorArea * 40
        records.push({
          kind: "deposit",
          id: `D${String(deposit).padStart(7, "0")}`,
          area: areaId,
          household: id,
          date: `${period}-${String(1 + next(28)).padStart(2, "0")}`,
          due,
          paid: next(5) === 0 ? Math.floor(due / 2) : due,
        })
      }
    }
    records.push({ kind: "area", id: areaId, county, name: `示范小区${a + 1}`, stage, floorArea: floor })
    records.push({ kind: "area-account", id: areaId, balance })
    cityBalance += balance
    records.push({ kind: "facility", id: `${areaId}-LIFT`, area: areaId, category: "lift" })
    if (a % 2 === 0)
      records.push({
        kind: "use",
        id: `U${areaId}`,
        area: areaId,
        date: `${period}-15`,
        amount: 500_000 + next(2_000_000),
        category: a % 4 === 0 ? "roof" : "lift",
      })
    records.push({
      kind: "income",
      id: `I${areaId}`,
      area: areaId,
      date: `${period}-21`,
      amount: Math.floor(balance / 1_000),
      type: "interest",
    })
    records.push({
      kind: "case",
      id: `C${areaId}`,
      area: areaId,
      date: `${period}-10`,
      steps: 3 + next(3),
      reviewDays: 2 + next(8),
    })
  }
  records.push({ kind: "organisation", id: "BANK-01", role: "bank", name: "示范专户银行" })
  records.push({
    kind: "balance",
    id: "commodity:3001",
    book: "commodity",
    account: "3001",
    amount: cityBalance,
  })
  return records
}
