/**
 * Synthetic city (合成城市, issue 16): a deterministic Shanghai housing stock for benchmarks and load tests —
 * projects in the 16 districts of each of the four kinds (公租, 保租, 廉租, 共有产权), buildings of realistic
 * height, floors, unit types, rents and statuses. Pure: the seeded PRNG comes in as an argument, so the
 * same seed gives the same records (and the same digest). Every unit satisfies the store invariants (R132
 * ranges, R37 lock origin, R40 let ⇒ supplied). Households, cases and the fund ledger are not generated yet.
 */
import { fromRandomBytes, PUBLIC_CODE_BYTES } from "../../domain/stock/PublicCode.js"
import { SHANGHAI_DISTRICTS } from "../../domain/stock/Dictionaries.js"
import type { HousingKind } from "../../domain/stock/HousingKind.js"
import type {
  Building,
  BuildingId,
  DistrictCode,
  Project,
  ProjectId,
  Unit,
  UnitId,
} from "../../domain/stock/Stock.js"
import type { UnitStatus } from "../../domain/stock/UnitStatus.js"

/** A seeded source of 32-bit unsigned integers (the only randomness the generator uses). */
export interface CityRandom {
  readonly next: () => number
}

/** sfc32 over a 32-bit seed: fast, well mixed, reproducible on every platform. Not for secrets. */
export const seededCityRandom = (seed: number): CityRandom => {
  let a = 0x9e3779b9
  let b = 0x243f6a88
  let c = 0xb7e15162
  let d = seed >>> 0
  const next = () => {
    a >>>= 0
    b >>>= 0
    c >>>= 0
    d >>>= 0
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return t >>> 0
  }
  for (let i = 0; i < 15; i++) next()
  return { next }
}

const below = (r: CityRandom, n: number) => r.next() % n
const pick = <A>(r: CityRandom, xs: ReadonlyArray<A>): A => xs[below(r, xs.length)]!
/** A choice by integer weights. */
const weighted = <A>(r: CityRandom, xs: ReadonlyArray<readonly [A, number]>): A => {
  const total = xs.reduce((s, [, w]) => s + w, 0)
  let x = below(r, total)
  for (const [a, w] of xs) {
    if (x < w) return a
    x -= w
  }
  return xs[0]![0]
}

/** The four security kinds with their share of projects (保租 dominates new supply in Shanghai). */
const KINDS: ReadonlyArray<readonly [HousingKind, number]> = [
  ["baozu", 45],
  ["gongzu", 30],
  ["lianzu", 10],
  ["gongyou", 15],
]
const KIND_NAMES: Record<string, string> = {
  baozu: "保障性租赁住房",
  gongzu: "公共租赁住房",
  lianzu: "廉租住房",
  gongyou: "共有产权保障住房",
}
/** Outer districts hold most of the stock. */
const DISTRICT_WEIGHT: Record<string, number> = {
  "310101": 1,
  "310104": 3,
  "310105": 2,
  "310106": 2,
  "310107": 4,
  "310109": 2,
  "310110": 4,
  "310112": 10,
  "310113": 8,
  "310114": 7,
  "310115": 16,
  "310116": 3,
  "310117": 8,
  "310118": 5,
  "310120": 5,
  "310151": 2,
}
const DISTRICTS: ReadonlyArray<readonly [string, number]> = Object.keys(SHANGHAI_DISTRICTS).map((d) => [
  d,
  DISTRICT_WEIGHT[d] ?? 1,
])
const ROADS = [
  "华灵路",
  "杨高南路",
  "龙吴路",
  "共和新路",
  "沪太路",
  "虹梅路",
  "曹安公路",
  "浦星公路",
  "金海路",
  "嘉松北路",
]
const NAMES = ["馨越", "华庭", "锦苑", "和园", "安居", "乐居", "康城", "新苑", "怡景", "明珠"]
const OPERATORS: ReadonlyArray<readonly [string, string]> = [
  ["91310000MA1FL0TB3Y", "上海地产住房保障有限公司"],
]
/** Unit types (室 × 厅) with area range (0.01 m²) and weight. */
const UNIT_TYPES: ReadonlyArray<readonly [readonly [number, number, number, number], number]> = [
  [[0, 0, 2500, 3800], 20],
  [[1, 1, 4000, 6000], 45],
  [[2, 1, 6000, 8500], 28],
  [[3, 1, 8500, 11000], 7],
]
const ORIENTATIONS = ["南", "南北", "东南", "西南", "东", "西"]
const DECORATIONS = ["简装", "精装", "毛坯"]
const STATUSES: ReadonlyArray<readonly [UnitStatus, number]> = [
  ["available", 30],
  ["let", 55],
  ["draft", 8],
  ["locked", 4],
  ["unusable", 3],
]
/** Monthly rent per m² in fen by district group (market), and the discount of each kind. */
const rentPerSquareMetre = (district: string) =>
  ["310101", "310104", "310105", "310106"].includes(district) ? 150_00 : district === "310151" ? 30_00 : 75_00
const DISCOUNT: Record<string, number> = { baozu: 90, gongzu: 80, lianzu: 30, gongyou: 60 }

export interface CityStock {
  readonly projects: ReadonlyArray<Project>
  readonly buildings: ReadonlyArray<Building>
  readonly units: ReadonlyArray<Unit>
}

/**
 * Exactly `units` units in projects (one small pilot of each kind first, then) of 4–16 buildings of 6–33 floors and 2–8 units per floor (the last
 * building may be cut short), ids `CITY-P0001`, `CITY-P0001-B01`, `CITY-P0001-B01-1203`.
 */
export const generateCityStock = (random: CityRandom, options: { readonly units: number }): CityStock => {
  const projects: Array<Project> = []
  const buildings: Array<Building> = []
  const units: Array<Unit> = []
  const codeBytes = new Uint8Array(PUBLIC_CODE_BYTES)
  while (units.length < options.units) {
    const p = projects.length + 1
    // The first four projects are one of each kind (and small), so even a small city has all four.
    const kind = p <= KINDS.length ? KINDS[p - 1]![0] : weighted(random, KINDS)
    const district = weighted(random, DISTRICTS)
    const name = `${pick(random, NAMES)}${KIND_NAMES[kind]}${p}期`
    const [uscc, operatorName] = pick(random, OPERATORS)
    const project: Project = {
      id: `CITY-P${String(p).padStart(4, "0")}` as ProjectId,
      name,
      kind,
      district: district as DistrictCode,
      address: `上海市${SHANGHAI_DISTRICTS[district]}${pick(random, ROADS)}${1 + below(random, 2000)}号`,
      operatorUscc: uscc as Project["operatorUscc"],
      operatorName,
      servicePhone: `021-${String(20_000_000 + below(random, 70_000_000))}`,
    }
    projects.push(project)
    const buildingCount = p <= KINDS.length ? 1 + below(random, 2) : 4 + below(random, 13)
    const perSquareMetre = rentPerSquareMetre(district)
    for (let b = 1; b <= buildingCount && units.length < options.units; b++) {
      const totalFloors = 6 + below(random, 28)
      const unitsPerFloor = 2 + below(random, 7)
      const building: Building = {
        id: `${project.id}-B${String(b).padStart(2, "0")}` as BuildingId,
        projectId: project.id,
        name: `${b}号楼`,
        totalFloors,
        unitsPerFloor,
        hasLift: totalFloors > 6 || below(random, 2) === 0,
        completionDate:
          `${2005 + below(random, 20)}-${String(1 + below(random, 12)).padStart(2, "0")}-${String(1 + below(random, 28)).padStart(2, "0")}` as Building["completionDate"],
      }
      buildings.push(building)
      for (let floor = 1; floor <= totalFloors && units.length < options.units; floor++)
        for (let room = 1; room <= unitsPerFloor && units.length < options.units; room++) {
          const [bedrooms, halls, minArea, maxArea] = weighted(random, UNIT_TYPES)
          const area = minArea + below(random, maxArea - minArea + 1)
          const marketRent = Math.round((perSquareMetre * area) / 10_000 / 100) * 100
          const status = weighted(random, STATUSES)
          for (let i = 0; i < PUBLIC_CODE_BYTES; i++) codeBytes[i] = below(random, 256)
          units.push({
            id: `${building.id}-${floor}${String(room).padStart(2, "0")}` as UnitId,
            code: fromRandomBytes(codeBytes),
            projectId: project.id,
            buildingId: building.id,
            floor,
            roomNo: room,
            bedrooms,
            halls,
            area: area as Unit["area"],
            orientation: pick(random, ORIENTATIONS),
            decoration: pick(random, DECORATIONS),
            rent: (Math.round((marketRent * (DISCOUNT[kind] ?? 100)) / 100 / 100) * 100) as Unit["rent"],
            marketRent: marketRent as Unit["marketRent"],
            kind,
            status,
            lockedFrom: status === "locked" ? (below(random, 2) === 0 ? "available" : "draft") : null,
            supplied: status === "let" || (status !== "draft" && below(random, 4) === 0),
            version: 1 + below(random, 4),
          })
        }
    }
  }
  return { projects, buildings, units }
}

/** One line per record in a fixed field order (what the determinism digest is taken over). */
export const cityStockLines = function* (stock: CityStock): Generator<string> {
  for (const p of stock.projects) yield JSON.stringify(["p", p.id, p.name, p.kind, p.district, p.address])
  for (const b of stock.buildings)
    yield JSON.stringify([
      "b",
      b.id,
      b.projectId,
      b.totalFloors,
      b.unitsPerFloor,
      b.hasLift,
      b.completionDate,
    ])
  for (const u of stock.units)
    yield JSON.stringify([
      "u",
      u.id,
      u.code,
      u.bedrooms,
      u.halls,
      u.area,
      u.rent,
      u.marketRent,
      u.kind,
      u.status,
      u.lockedFrom,
      u.supplied,
      u.version,
    ])
}
