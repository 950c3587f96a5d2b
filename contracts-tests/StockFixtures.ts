/**
 * Builders of valid stock records for contract suites and tests. Every call takes a `tag` that is
 * woven into all ids, so suites can share one database without seeing each other's rows.
 */
import type { PublicCode } from "../domain/stock/PublicCode.js"
import type {
  Building,
  BuildingId,
  DistrictCode,
  Project,
  ProjectId,
  Unit,
  UnitId,
} from "../domain/stock/Stock.js"
import type { Area } from "../domain/values/Area.js"
import type { CivilDate } from "../domain/values/CivilDate.js"
import type { Money } from "../domain/values/Money.js"
import type { UnifiedSocialCreditCode } from "../domain/values/UnifiedSocialCreditCode.js"

let counter = 0
/** A fresh tag, unique within the process and across runs sharing a database (time-free: pid + counter). */
export const freshTag = (label: string): string =>
  `${label}-${process.pid.toString(36)}-${(counter++).toString(36)}`

const CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
/** A deterministic valid public code from a string (FNV-1a expanded); unique per distinct input in practice. */
export const codeFor = (s: string): PublicCode => {
  let h1 = 0x811c9dc5
  let h2 = 0x01000193
  for (let i = 0; i < s.length; i++) {
    h1 = Math.imul(h1 ^ s.charCodeAt(i), 16777619) >>> 0
    h2 = Math.imul(h2 ^ s.charCodeAt(i), 2246822519) >>> 0
  }
  let out = ""
  for (let i = 0; i < 16; i++) {
    const v = i < 8 ? h1 >>> (i * 4) : h2 >>> ((i - 8) * 4)
    out += CODE_ALPHABET[(v ^ (i * 7)) & 31]
  }
  return out as PublicCode
}

export const project = (tag: string, over: Partial<Project> = {}): Project => ({
  id: `P-${tag}` as ProjectId,
  name: "馨越公寓",
  kind: "gongzu",
  district: "310115" as DistrictCode,
  address: "上海市浦东新区世博村路300号",
  operatorUscc: "91310000MA1FL0TB3Y" as UnifiedSocialCreditCode,
  operatorName: "上海地产住房保障有限公司",
  servicePhone: "021-12345678",
  ...over,
})

export const building = (tag: string, over: Partial<Building> = {}): Building => ({
  id: `B-${tag}` as BuildingId,
  projectId: `P-${tag}` as ProjectId,
  name: "1号楼",
  totalFloors: 18,
  unitsPerFloor: 6,
  hasLift: true,
  completionDate: "2023-06-30" as CivilDate,
  ...over,
})

export const unit = (tag: string, n: number, over: Partial<Unit> = {}): Unit => {
  const floor = 1 + Math.floor(n / 6)
  const roomNo = 1 + (n % 6)
  return {
    id: `U-${tag}-${String(n).padStart(4, "0")}` as UnitId,
    code: codeFor(`${tag}#${n}`),
    projectId: `P-${tag}` as ProjectId,
    buildingId: `B-${tag}` as BuildingId,
    floor,
    roomNo,
    bedrooms: 1 + (n % 3),
    halls: 1,
    area: (4500 + 1000 * (n % 5)) as Area,
    orientation: n % 2 === 0 ? "南" : "南北",
    decoration: "简装",
    rent: (150000 + 10000 * (n % 4)) as Money,
    marketRent: (300000 + 10000 * (n % 4)) as Money,
    kind: "gongzu",
    status: "draft",
    lockedFrom: null,
    supplied: false,
    version: 1,
    ...over,
  }
}

/** A project with one building and `n` units. */
export const estate = (tag: string, n: number) => ({
  projects: [project(tag)],
  buildings: [building(tag)],
  units: Array.from({ length: n }, (_, i) => unit(tag, i)),
})
