/**
 * Records of the regulator feed (监管数据报送, M116–M125, M184): the seven CJJ/T 257 data categories
 * (housing, facilities, organisations, accounts, business, accounting, statistics), the record kinds each
 * holds with their typed fields, the enumerations with their accepted aliases (M185 step 2) and the one
 * canonical line encoding (sorted keys, safe integers only, no whitespace, LF). Money is integer fen,
 * areas integer hundredths of m². Pure.
 */
import { canonicalJson, type Json } from "../lottery/CanonicalJson.js"

/** The CJJ/T 257 data categories (M123), in manifest and file order. */
export const categories = [
  "housing",
  "facilities",
  "organisations",
  "accounts",
  "business",
  "accounting",
  "statistics",
] as const
export type Category = (typeof categories)[number]

/** Supervision tiers, lowest first (M184: county → city → province → national). */
export const tiers = ["county", "city", "province", "national"] as const
export type Tier = (typeof tiers)[number]

/** The tier a batch of `sender` goes to (undefined for national). */
export const tierAbove = (t: Tier): Tier | undefined => tiers[tiers.indexOf(t) + 1]

/** 代管 (custody, before an owners' assembly) or 自管 (self-managed) — the split of every theme (M132). */
export type Stage = "custody" | "self-managed"

/** Field types: text, non-negative integer, signed integer, civil date, or one of the enumerations. */
export type FieldType = "text" | "count" | "signed" | "date" | "period" | EnumName

/** A record as it travels: a flat object of text and integers, with `kind` and `id`. */
export type FeedRecord = { readonly kind: string; readonly id: string } & {
  readonly [field: string]: string | number
}

export interface KindSpec {
  readonly category: Category
  readonly required: Readonly<Record<string, FieldType>>
  readonly optional?: Readonly<Record<string, FieldType>>
  /** Integer fields summed into the manifest as `<kind>.<field>` (M185: sums equal the manifest). */
  readonly sums: ReadonlyArray<string>
  /** Carries one household's detail: never leaves the city tier (M184). */
  readonly household?: true
}

/**
 * Enumerations with the aliases mapped onto their codes (M185 step 2). The CJJ/T 257 code lists themselves
 * were not available (catalog §1.4); these codes are the project's and the aliases the Chinese terms.
 */
export const enumerations = {
  stage: { custody: ["代管"], "self-managed": ["自管"] },
  book: { commodity: ["商品住宅"], public: ["已售公有住房", "售后公房"] },
  useCategory: {
    roof: ["屋面"],
    lift: ["电梯"],
    pipes: ["管道", "给排水"],
    facade: ["外墙"],
    fire: ["消防"],
    other: ["其他"],
  },
  incomeType: { interest: ["利息"], bond: ["国债"], operating: ["经营收益"], other: ["其他收益"] },
  role: {
    developer: ["建设单位", "开发企业"],
    "property-service": ["物业服务企业"],
    "owners-committee": ["业主委员会"],
    bank: ["专户银行"],
    other: ["其他单位"],
  },
} as const satisfies Record<string, Record<string, ReadonlyArray<string>>>
export type EnumName = keyof typeof enumerations

const money = "count" as const

/** Every record kind (the `kind` field), its category, typed fields and summed fields. */
export const kinds: Readonly<Record<string, KindSpec>> = {
  area: {
    category: "housing",
    required: { county: "text", name: "text", stage: "stage", floorArea: "count" },
    optional: { street: "text" },
    sums: ["floorArea"],
  },
  building: { category: "housing", required: { area: "text", name: "text" }, sums: [] },
  household: {
    category: "housing",
    required: { building: "text", floorArea: "count" },
    sums: ["floorArea"],
    household: true,
  },
  facility: { category: "facilities", required: { area: "text", category: "text" }, sums: [] },
  organisation: { category: "organisations", required: { role: "role", name: "text" }, sums: [] },
  "household-account": {
    category: "accounts",
    required: { book: "book", principal: money, income: money },
    sums: ["principal", "income"],
    household: true,
  },
  "area-account": { category: "accounts", required: { balance: money }, sums: ["balance"] },
  deposit: {
    category: "business",
    required: { area: "text", date: "date", due: money, paid: money },
    optional: { household: "text" },
    sums: ["due", "paid"],
  },
  use: {
    category: "business",
    required: { area: "text", date: "date", amount: money, category: "useCategory" },
    sums: ["amount"],
  },
  income: {
    category: "business",
    required: { area: "text", date: "date", amount: money, type: "incomeType" },
    sums: ["amount"],
  },
  case: {
    category: "business",
    required: { area: "text", date: "date", steps: "count", reviewDays: "count" },
    sums: ["steps", "reviewDays"],
  },
  balance: {
    category: "accounting",
    required: { book: "book", account: "text", amount: "signed" },
    sums: ["amount"],
  },
  figures: {
    category: "statistics",
    required: {
      period: "period",
      province: "text",
      city: "text",
      county: "text",
      stage: "stage",
      areas: "count",
      households: "count",
      floorArea: "count",
      balance: money,
      depositDue: money,
      depositPaid: money,
      useAmount: money,
      useCount: "count",
      valueAdded: money,
      volume: "count",
      steps: "count",
      reviewDays: "count",
    },
    sums: [
      "households",
      "floorArea",
      "balance",
      "depositDue",
      "depositPaid",
      "useAmount",
      "useCount",
      "valueAdded",
      "volume",
      "steps",
      "reviewDays",
    ],
  },
}

/** The kinds of a category, in name order. */
export const kindsOf = (c: Category): ReadonlyArray<string> =>
  Object.keys(kinds)
    .filter((k) => kinds[k]!.category === c)
    .sort()

/** Code-unit order of records: by kind, then id (the order of lines in a part). */
export const compareRecords = (a: FeedRecord, b: FeedRecord): number =>
  a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0

/** One canonical line (no trailing LF): keys sorted by UTF-16 code units, integers only, no whitespace. */
export const canonicalLine = (r: FeedRecord): string => canonicalJson(r as unknown as Json)

/** A part's text: records sorted by (kind, id), one canonical line each, every line ending in LF. */
export const encodePart = (records: ReadonlyArray<FeedRecord>): string => {
  const sorted = [...records].sort(compareRecords)
  let out = ""
  for (const r of sorted) out += `${canonicalLine(r)}\n`
  return out
}

/** `<kind>.<field>` → Σ over `records` for every summed field of every kind present in `category`. */
export const sumsOf = (category: Category, records: ReadonlyArray<FeedRecord>): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const kind of kindsOf(category)) for (const f of kinds[kind]!.sums) out[`${kind}.${f}`] = 0
  for (const r of records) {
    const spec = kinds[r.kind]
    if (spec === undefined) continue
    for (const f of spec.sums) {
      const v = r[f]
      if (typeof v === "number") out[`${r.kind}.${f}`] = (out[`${r.kind}.${f}`] ?? 0) + v
    }
  }
  return out
}
