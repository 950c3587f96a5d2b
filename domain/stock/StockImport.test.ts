import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Result } from "effect"
import {
  addImportRows,
  finishImportPlan,
  planImport,
  readImportTable,
  startImportPlan,
} from "./StockImport.js"
import { parseCsv } from "./Tabular.js"

const HEADER =
  "project_id,project_name,kind,district,address,operator_uscc,operator_name,service_phone,building_id,building_name,total_floors,units_per_floor,has_lift,completion_date,unit_id,floor,room_no,bedrooms,halls,area,orientation,decoration,rent,market_rent"
const P = "P1,馨越公寓,gongzu,310115,世博村路300号,91310000MA1FL0TB3Y,上海地产住房保障有限公司,021-12345678"
const row = (b: string, floors: number, u: string, floor: number, room: number, bedrooms: number) =>
  `${P},${b},${b}号楼,${floors},6,是,2023-06-30,${u},${floor},${room},${bedrooms},1,65.40,南,简装,1500,3200`
const empty = { projects: new Map(), buildings: new Map(), units: new Map() }
const plan = (text: string) =>
  planImport(Result.getOrThrow(readImportTable(Result.getOrThrow(parseCsv(text)))), empty)

describe("stock import plan", () => {
  it("a valid file plans every project, building and unit once", () => {
    const p = plan(
      [HEADER, row("B1", 18, "U1", 1, 1, 2), row("B1", 18, "U2", 1, 2, 1), row("B2", 6, "U3", 6, 6, 0)].join(
        "\n",
      ),
    )
    expect(p.issues).toEqual([])
    expect([p.projects.length, p.buildings.length, p.units.length]).toEqual([1, 2, 3])
  })

  it("a 6-bedroom unit and a 101-floor building are both reported with row, field and rule", () => {
    const p = plan(
      [
        HEADER,
        row("B1", 18, "U1", 1, 1, 6),
        row("B2", 101, "U2", 1, 1, 2),
        row("B1", 18, "U3", 2, 1, 2),
      ].join("\n"),
    )
    expect(p.issues.map((i) => [i.row, i.field, i.rule, i.value])).toEqual([
      [2, "bedrooms", "R132.bedrooms-range", "6"],
      [3, "total_floors", "R132.total-floors-max", "101"],
    ])
    expect(p.units.map((u) => u.row)).toEqual([4])
  })

  it("cross-row rules: consistent buildings, unique units and rooms, units fit the building", () => {
    const p = plan(
      [
        HEADER,
        row("B1", 18, "U1", 1, 1, 2),
        row("B1", 17, "U2", 1, 2, 2),
        row("B1", 18, "U1", 3, 1, 2),
        row("B1", 18, "U4", 1, 1, 2),
        row("B1", 18, "U5", 19, 1, 2),
      ].join("\n"),
    )
    expect(p.issues.map((i) => `${i.row}:${i.rule}`)).toEqual([
      "3:import.consistent-building",
      "4:import.duplicate-unit",
      "5:import.duplicate-room",
      "6:R132.total-floors-below-highest-floor",
    ])
  })

  it("Chinese headers are accepted; a missing key column is a header error", () => {
    const zh =
      "项目编号,项目名称,房源类别,区县代码,项目地址,运营机构统一社会信用代码,运营机构名称,服务电话,楼栋编号,楼栋名称,总层数,每层户数,有无电梯,竣工日期,房屋编号,楼层,室号,卧室数,厅数,面积,朝向,装修情况,实际月租金,市场月租金"
    expect(plan([zh, row("B1", 18, "U1", 1, 1, 2)].join("\n")).units).toHaveLength(1)
    const bad = readImportTable(Result.getOrThrow(parseCsv("project_id,building_id\nP1,B1")))
    expect(Result.isFailure(bad) && bad.failure.map((i) => i.rule)).toEqual(["import.header-required"])
  })

  it("property: planning in chunks (as a streamed import does) gives the same plan as in one go", () => {
    const line = fc
      .tuple(
        fc.constantFrom("B1", "B2", "B3"),
        fc.constantFrom(6, 18, 101),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 6 }),
      )
      .map(([b, floors, u, floor, room, bedrooms]) => row(b, floors, `U${u}`, floor, room, bedrooms))
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), fc.array(fc.nat({ max: 40 })), (lines, cuts) => {
        const rows = Result.getOrThrow(
          readImportTable(Result.getOrThrow(parseCsv([HEADER, ...lines].join("\n")))),
        )
        const whole = planImport(rows, empty)
        const state = startImportPlan()
        const bounds = [...new Set([0, ...cuts.map((c) => c % (rows.length + 1)), rows.length])].sort(
          (a, b) => a - b,
        )
        for (let i = 1; i < bounds.length; i++) addImportRows(state, rows.slice(bounds[i - 1], bounds[i]))
        const steps = finishImportPlan(state, empty)
        let step = steps.next()
        while (step.done !== true) step = steps.next()
        expect(step.value).toEqual(whole)
        // Every row is either planned, unchanged or named by an issue.
        const accounted = new Set([...whole.units.map((u) => u.row), ...whole.issues.map((i) => i.row)])
        expect(rows.every((r) => accounted.has(r.row))).toBe(true)
      }),
    )
  })
})
