/**
 * Cleansing and validation of feed records (数据清洗与校验, M122/M124/M185), before anything is accepted:
 * (1) shape — a known kind, every required field of its type; (2) enumerations mapped to their codes
 * (`代管` → `custody`); (3) units converted — `<field>Yuan` decimal text to fen, `floorAreaM2` to 0.01 m²,
 * exactly or not at all; (4) identifiers deduplicated (the first wins); (5) no negative amounts;
 * (6) referential integrity household → building → area, accounts and business → their area or household;
 * (7) logical checks — an area's floor area = Σ its households', an area account = Σ its households'
 * balances, business dates inside the period, and (detail batches) statistics = figures recomputed from the
 * accepted detail. Every rejected record comes back with its rule and reason; the others are accepted
 * in canonical form. Pure.
 */
import { enumerations, type EnumName, type FeedRecord, type FieldType, kinds } from "./FeedRecord.js"

export interface Rejection {
  readonly kind: string
  readonly id: string
  /** Rule id (`M185.reference`, …). */
  readonly rule: string
  readonly field?: string
  readonly reason: string
}

export interface Cleansed {
  readonly accepted: ReadonlyArray<FeedRecord>
  readonly rejected: ReadonlyArray<Rejection>
}

const DATE = /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/u
const PERIOD = /^[0-9]{4}-(0[1-9]|1[0-2])$/u
const DECIMAL2 = /^(0|[1-9][0-9]{0,13})(\.[0-9]{1,2})?$/u

/** Alias → code for every enumeration (codes map to themselves). */
const aliasTables: Readonly<Record<string, ReadonlyMap<string, string>>> = Object.fromEntries(
  Object.entries(enumerations).map(([name, codes]) => {
    const m = new Map<string, string>()
    for (const [code, aliases] of Object.entries(codes)) {
      m.set(code, code)
      for (const a of aliases as ReadonlyArray<string>) m.set(a, code)
    }
    return [name, m]
  }),
)

/** A decimal text with at most two places as hundredths (`"88.5"` → 8850); undefined when it is not one. */
export const hundredths = (text: string): number | undefined => {
  const t = text.trim()
  if (!DECIMAL2.test(t)) return undefined
  const [whole, frac = ""] = t.split(".")
  const n = Number(whole) * 100 + Number(frac.padEnd(2, "0"))
  return Number.isSafeInteger(n) ? n : undefined
}

/** Unit fields accepted in place of the canonical ones (M185 step 3). */
const UNIT_ALIASES: ReadonlyArray<readonly [from: string, to: string]> = [
  ["floorAreaM2", "floorArea"],
  ["balanceYuan", "balance"],
  ["principalYuan", "principal"],
  ["incomeYuan", "income"],
  ["amountYuan", "amount"],
  ["dueYuan", "due"],
  ["paidYuan", "paid"],
]

type Shaped = { readonly record: FeedRecord } | { readonly rejection: Rejection }

const isObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const fieldValue = (type: FieldType, v: unknown): string | number | undefined => {
  switch (type) {
    case "text":
      return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined
    case "count":
      return Number.isSafeInteger(v) ? (v as number) : undefined
    case "signed":
      return Number.isSafeInteger(v) ? (v as number) : undefined
    case "date":
      return typeof v === "string" && DATE.test(v) ? v : undefined
    case "period":
      return typeof v === "string" && PERIOD.test(v) ? v : undefined
    default:
      return typeof v === "string" ? aliasTables[type as EnumName]!.get(v.trim()) : undefined
  }
}

const fieldCache = new Map<
  string,
  { readonly list: ReadonlyArray<readonly [string, FieldType, boolean]>; readonly names: ReadonlySet<string> }
>()
const fieldsOf = (kind: string) => {
  let f = fieldCache.get(kind)
  if (f === undefined) {
    const spec = kinds[kind]!
    const list = [
      ...Object.entries(spec.required).map(([n, t]) => [n, t, true] as const),
      ...Object.entries(spec.optional ?? {}).map(([n, t]) => [n, t, false] as const),
    ]
    f = { list, names: new Set(list.map(([n]) => n)) }
    fieldCache.set(kind, f)
  }
  return f
}

/** Steps 1–3 and 5 for one record: shape, enumerations, units, non-negative amounts. */
export const shapeRecord = (raw: unknown): Shaped => {
  const kind = isObject(raw) && typeof raw["kind"] === "string" ? raw["kind"] : ""
  const id = isObject(raw) && typeof raw["id"] === "string" ? raw["id"].trim() : ""
  const reject = (rule: string, reason: string, field?: string): Shaped => ({
    rejection: { kind, id, rule, reason, ...(field === undefined ? {} : { field }) },
  })
  if (!isObject(raw)) return reject("FEED.shape", "not an object")
  const spec = kinds[kind]
  if (spec === undefined) return reject("FEED.shape", `unknown kind ${JSON.stringify(kind)}`, "kind")
  if (id === "") return reject("FEED.shape", "id is required", "id")
  let input: Record<string, unknown> = raw
  for (const [from, to] of UNIT_ALIASES) {
    if (input[from] === undefined) continue
    if (input === raw) input = { ...raw }
    if (input[to] !== undefined) return reject("M185.unit", `both ${from} and ${to} given`, from)
    const n = typeof input[from] === "string" ? hundredths(input[from]) : undefined
    if (n === undefined) return reject("M185.unit", `${from} must be a decimal with at most 2 places`, from)
    input[to] = n
    delete input[from]
  }
  const out: Record<string, string | number> = { kind, id }
  const fields = fieldsOf(kind)
  for (const [name, type, required] of fields.list) {
    const v = input[name]
    if (v === undefined || v === null) {
      if (required) return reject("FEED.shape", `${name} is required`, name)
      continue
    }
    const value = fieldValue(type, v)
    if (value === undefined) {
      if (type === "count" && Number.isSafeInteger(v) && (v as number) < 0)
        return reject("M185.negative", `${name} must not be negative`, name)
      const rule = type in aliasTables ? "M185.enum" : "FEED.shape"
      return reject(rule, `${name}: ${JSON.stringify(v)} is not a valid ${type}`, name)
    }
    if (type === "count" && (value as number) < 0)
      return reject("M185.negative", `${name} must not be negative`, name)
    out[name] = value
  }
  for (const name in input)
    if (name !== "kind" && name !== "id" && !fields.names.has(name))
      return reject("FEED.shape", `unknown field ${name} for kind ${kind}`, name)
  return { record: out as FeedRecord }
}

/** Where figures come from when they are recomputed: the sender's region and the period. */
export interface FiguresContext {
  readonly period: string
  readonly province: string
  readonly city: string
}

export interface CleanseOptions {
  readonly period: string
  /**
   * Recomputes statistics from the accepted detail and rejects any `figures` record that differs (detail
   * batches). Returns the figures records the detail implies.
   */
  readonly recompute?: (detail: ReadonlyArray<FeedRecord>) => ReadonlyArray<FeedRecord>
}

/** Cleanses `raw` records (any order); see the module header for the rules, applied in that order. */
export const cleanse = (raw: ReadonlyArray<unknown>, options: CleanseOptions): Cleansed => {
  const rejected: Array<Rejection> = []
  const seen = new Map<string, Map<string, FeedRecord>>()
  for (const r of raw) {
    const shaped = shapeRecord(r)
    if ("rejection" in shaped) {
      rejected.push(shaped.rejection)
      continue
    }
    let ofKind = seen.get(shaped.record.kind)
    if (ofKind === undefined) {
      ofKind = new Map()
      seen.set(shaped.record.kind, ofKind)
    }
    if (ofKind.has(shaped.record.id)) {
      rejected.push({
        kind: shaped.record.kind,
        id: shaped.record.id,
        rule: "M185.dedupe",
        reason: "duplicate identifier: the first record is kept",
      })
      continue
    }
    ofKind.set(shaped.record.id, shaped.record)
  }
  const byKind = (kind: string): ReadonlyArray<FeedRecord> => [...(seen.get(kind)?.values() ?? [])]
  const all = () => [...seen.values()].flatMap((m) => [...m.values()])
  const drop = (r: FeedRecord, rule: string, reason: string, field?: string) => {
    seen.get(r.kind)?.delete(r.id)
    rejected.push({ kind: r.kind, id: r.id, rule, reason, ...(field === undefined ? {} : { field }) })
  }
  const has = (kind: string, id: unknown) => typeof id === "string" && seen.get(kind)?.has(id) === true

  // Referential integrity, top down so a dropped building drops its households.
  for (const b of byKind("building"))
    if (!has("area", b["area"]))
      drop(b, "M185.reference", `building ${b.id}: area ${b["area"]} is not in the batch`, "area")
  for (const h of byKind("household"))
    if (!has("building", h["building"]))
      drop(
        h,
        "M185.reference",
        `household ${h.id}: building ${h["building"]} is not in the batch`,
        "building",
      )
  for (const a of byKind("household-account"))
    if (!has("household", a.id))
      drop(a, "M185.reference", `account of household ${a.id}: no such household`, "id")
  for (const a of byKind("area-account"))
    if (!has("area", a.id)) drop(a, "M185.reference", `account of area ${a.id}: no such area`, "id")
  for (const kind of ["facility", "deposit", "use", "income", "case"])
    for (const r of byKind(kind)) {
      if (!has("area", r["area"]))
        drop(r, "M185.reference", `${kind} ${r.id}: area ${r["area"]} is not in the batch`, "area")
      else if (r["household"] !== undefined && !has("household", r["household"]))
        drop(
          r,
          "M185.reference",
          `${kind} ${r.id}: household ${r["household"]} is not in the batch`,
          "household",
        )
      else if (typeof r["date"] === "string" && !r["date"].startsWith(`${options.period}-`))
        drop(
          r,
          "M185.period",
          `${kind} ${r.id}: ${r["date"]} is outside the period ${options.period}`,
          "date",
        )
    }

  // Logical checks per area: floor area and balances equal the sums of its households.
  const areaOfBuilding = new Map(byKind("building").map((b) => [b.id, b["area"] as string]))
  const floorByArea = new Map<string, number>()
  const areaOfHousehold = new Map<string, string>()
  for (const h of byKind("household")) {
    const area = areaOfBuilding.get(h["building"] as string)!
    areaOfHousehold.set(h.id, area)
    floorByArea.set(area, (floorByArea.get(area) ?? 0) + (h["floorArea"] as number))
  }
  const balanceByArea = new Map<string, number>()
  for (const a of byKind("household-account")) {
    const area = areaOfHousehold.get(a.id)!
    balanceByArea.set(
      area,
      (balanceByArea.get(area) ?? 0) + (a["principal"] as number) + (a["income"] as number),
    )
  }
  const detail = byKind("household").length > 0
  for (const a of byKind("area"))
    if (detail && a["floorArea"] !== (floorByArea.get(a.id) ?? 0))
      drop(
        a,
        "M185.area-floor",
        `area ${a.id}: floor area ${a["floorArea"]} ≠ Σ households ${floorByArea.get(a.id) ?? 0}`,
        "floorArea",
      )
  for (const a of byKind("area-account"))
    if (detail && a["balance"] !== (balanceByArea.get(a.id) ?? 0))
      drop(
        a,
        "M185.area-balance",
        `area ${a.id}: balance ${a["balance"]} ≠ Σ household balances ${balanceByArea.get(a.id) ?? 0}`,
        "balance",
      )

  for (const f of byKind("figures"))
    if (f["period"] !== options.period)
      drop(f, "M185.period", `figures ${f.id}: period ${f["period"]} is not ${options.period}`, "period")

  if (options.recompute !== undefined) {
    const expected = new Map(
      options.recompute(all().filter((r) => r.kind !== "figures")).map((r) => [r.id, r]),
    )
    for (const f of byKind("figures")) {
      const e = expected.get(f.id)
      const differing = e === undefined ? "id" : Object.keys(e).find((k) => e[k] !== f[k])
      if (differing !== undefined)
        drop(
          f,
          "M185.figures",
          `figures ${f.id}: ${differing} differs from the figures of the accepted detail`,
          differing,
        )
    }
  }
  return { accepted: all(), rejected }
}
