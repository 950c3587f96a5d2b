/**
 * A small demo estate for `anju serve --demo`: two projects (公租 in Pudong, 保租 in Minhang), three
 * buildings and 36 units registered through the real use-cases, half of them published. Seeding is
 * idempotent (fixed ids), and demo units get codes from a fixed seed, so README links stay valid.
 */
import { Effect } from "effect"
import { SecureRandom } from "../../application/ports/SecureRandom.js"
import { changeUnits } from "../../application/stock/ChangeUnits.js"
import { registerBuilding, registerProject, registerUnits } from "../../application/stock/RegisterStock.js"
import { LOCAL_AUTHORITY } from "../../application/stock/StockAccess.js"
import type { UnitId } from "../../domain/stock/Stock.js"
import * as Seeded from "../../adapters/memory/SeededSecureRandom.js"

export const DEMO_PROJECTS = [
  {
    id: "DEMO-PD-001",
    name: "馨越公寓",
    kind: "gongzu",
    district: "310115",
    address: "上海市浦东新区世博村路300号",
    operatorUscc: "91310000MA1FL0TB3Y",
    operatorName: "上海地产住房保障有限公司",
    servicePhone: "021-12345678",
  },
  {
    id: "DEMO-MH-002",
    name: "华漕保租社区",
    kind: "baozu",
    district: "310112",
    address: "上海市闵行区华漕镇纪鹤公路88弄",
    operatorUscc: "91350100M000100Y43",
    operatorName: "闵行区保障房运营有限公司",
    servicePhone: "13800138000",
  },
] as const

export const BUILDINGS = [
  {
    id: "DEMO-PD-001-B1",
    projectId: "DEMO-PD-001",
    name: "1号楼",
    totalFloors: 6,
    unitsPerFloor: 2,
    hasLift: true,
    completionDate: "2022-09-30",
  },
  {
    id: "DEMO-PD-001-B2",
    projectId: "DEMO-PD-001",
    name: "2号楼",
    totalFloors: 6,
    unitsPerFloor: 2,
    hasLift: false,
    completionDate: "2022-09-30",
  },
  {
    id: "DEMO-MH-002-B1",
    projectId: "DEMO-MH-002",
    name: "A座",
    totalFloors: 4,
    unitsPerFloor: 3,
    hasLift: true,
    completionDate: "2024-03-15",
  },
] as const

const ORIENTATION = ["南", "南北", "东南"] as const

const demoUnits = () =>
  BUILDINGS.flatMap((b) =>
    Array.from({ length: b.totalFloors * b.unitsPerFloor }, (_, i) => {
      const floor = 1 + Math.floor(i / b.unitsPerFloor)
      const room = 1 + (i % b.unitsPerFloor)
      const big = room === 1
      return {
        id: `${b.id}-${floor}${String(room).padStart(2, "0")}`,
        buildingId: b.id,
        floor,
        roomNo: room,
        bedrooms: big ? 2 : 1,
        halls: 1,
        area: big ? "62.35" : "41.80",
        orientation: ORIENTATION[i % 3],
        decoration: "简装",
        rent: big ? "1850.00" : "1260.50",
        marketRent: big ? "4200.00" : "2900.00",
      }
    }).slice(0, 12),
  )

/** Registers the demo estate; returns the unit ids and codes. Safe to run on every start. */
export const seedDemoEstate = Effect.gen(function* () {
  for (const p of DEMO_PROJECTS) yield* registerProject(LOCAL_AUTHORITY, p)
  for (const b of BUILDINGS) yield* registerBuilding(LOCAL_AUTHORITY, b)
  const seeded = yield* Seeded.make(20261123)
  const { units } = yield* registerUnits(LOCAL_AUTHORITY, demoUnits()).pipe(
    Effect.provideService(SecureRandom, seeded),
  )
  const toPublish = units.filter((u, i) => u.status === "draft" && i % 2 === 0)
  if (toPublish.length > 0)
    yield* changeUnits(
      LOCAL_AUTHORITY,
      toPublish.map((u) => ({ unitId: u.id as UnitId })),
      { command: "publish" },
    )
  return units.map((u) => ({ id: u.id, code: u.code }))
})
