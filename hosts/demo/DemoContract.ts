/**
 * The demo lease contract (`anju contract render --demo`): the first 保租 unit of the demo estate, read
 * back through the public unit look-up (code, address, area, rent from the stored unit), let to a
 * fictitious tenant by the project's operator. Its seals: the operator's organisation seal first, the
 * tenant's name seal second (R89/R90).
 */
import { Effect, Layer, Result } from "effect"
import * as MemoryStockStore from "../../adapters/memory/MemoryStockStore.js"
import type { SealOrder } from "../../application/documents/IssueDocument.js"
import { lookupUnitByCode } from "../../application/stock/QueryStock.js"
import { type DocumentLayout, makeDocumentNumber } from "../../domain/documents/Document.js"
import { leaseContract } from "../../domain/documents/Templates.js"
import type { PublicCode } from "../../domain/stock/PublicCode.js"
import type { CivilDate } from "../../domain/values/CivilDate.js"
import { addDays } from "../../domain/values/CivilDate.js"
import { multiplyInt } from "../../domain/values/Money.js"
import { DEMO_PROJECTS, seedDemoEstate } from "./DemoEstate.js"

export const DEMO_TENANT = {
  name: "张三",
  idNumber: "310112********002X",
  holder: "DEMO-TENANT-0001",
} as const
const PROJECT = DEMO_PROJECTS[1]
const UNIT_ID = "DEMO-MH-002-B1-101"

/** The demo contract's layout and seal orders, dated `today` (Asia/Shanghai civil date). */
export const demoContract = (today: CivilDate, serial = 1) =>
  Effect.gen(function* () {
    const units = yield* seedDemoEstate
    const seeded = units.find((u) => u.id === UNIT_ID)
    if (seeded === undefined) return yield* Effect.die(new Error(`demo unit ${UNIT_ID} missing`))
    const unit = yield* lookupUnitByCode(seeded.code as PublicCode)
    const number = Result.getOrThrow(makeDocumentNumber("lease-contract", today, serial))
    const start = addDays(today, 1)
    const layout: DocumentLayout = Result.getOrThrow(
      leaseContract({
        number,
        issuedOn: today,
        kindName: "保障性租赁住房",
        lessor: { name: PROJECT.operatorName, uscc: PROJECT.operatorUscc },
        tenant: { name: DEMO_TENANT.name, idNumber: DEMO_TENANT.idNumber },
        unit: {
          code: unit.code,
          address: `${unit.address}${unit.buildingName}${unit.room}室`,
          layout: `${unit.bedrooms}室${unit.halls}厅`,
          area: unit.area,
        },
        rent: unit.rent,
        deposit: Result.getOrThrow(multiplyInt(unit.rent, 2)),
        term: { start, end: addDays(start, 3 * 365) },
        supplements: ["甲方提供空调两台、热水器一台，乙方应妥善使用，非人为损坏由甲方维修。"],
      }),
    )
    const seals: ReadonlyArray<SealOrder> = [
      {
        role: "lessor",
        holder: PROJECT.operatorUscc,
        name: PROJECT.operatorName,
        holderKind: "organisation",
        reason: "出租人盖章（R89）",
      },
      {
        role: "tenant",
        holder: DEMO_TENANT.holder,
        name: DEMO_TENANT.name,
        holderKind: "person",
        reason: "承租人签章（R90）",
      },
    ]
    return { layout, seals, unitCode: unit.code }
  }).pipe(Effect.provide(Layer.mergeAll(MemoryStockStore.layer)))
