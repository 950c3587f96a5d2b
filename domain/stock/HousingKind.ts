/**
 * Housing kinds (保障房品种) a unit or project can belong to. Codes are stable pinyin identifiers used in
 * APIs, files and the database; `label` gives the Chinese name. 公租/保租/廉租/共有产权 are the four
 * security kinds; 征收安置 and 人才 are the other stock the seed manages (R40, R129–R131).
 */
import { Schema } from "effect"

export const HOUSING_KINDS = ["gongzu", "baozu", "lianzu", "gongyou", "anzhi", "rencai"] as const
export const HousingKind = Schema.Literals(HOUSING_KINDS).annotate({
  description: "gongzu 公租 | baozu 保租 | lianzu 廉租 | gongyou 共有产权 | anzhi 征收安置 | rencai 人才",
})
export type HousingKind = typeof HousingKind.Type

export const HOUSING_KIND_LABELS: Record<HousingKind, string> = {
  gongzu: "公租房",
  baozu: "保障性租赁住房",
  lianzu: "廉租房",
  gongyou: "共有产权保障住房",
  anzhi: "征收安置房",
  rencai: "人才公寓",
}

/** Accepts the code or the Chinese name (公租, 公租房, 保租, …) as written in spreadsheets. */
export const housingKindFromText = (text: string): HousingKind | undefined => {
  const t = text.trim()
  if ((HOUSING_KINDS as ReadonlyArray<string>).includes(t)) return t as HousingKind
  const short: Record<string, HousingKind> = {
    公租: "gongzu",
    保租: "baozu",
    廉租: "lianzu",
    共有产权: "gongyou",
    征收安置: "anzhi",
    人才: "rencai",
    共产: "gongyou",
  }
  for (const [k, v] of Object.entries(HOUSING_KIND_LABELS)) if (v === t) return k as HousingKind
  return short[t] ?? short[t.replace(/房$|住房$|公寓$/u, "")]
}
