import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { writeXlsx } from "../../adapters/xlsx/XlsxTable.js"
import { nodeIo } from "./Io.js"
import { main } from "./Main.js"

const run = async (argv: ReadonlyArray<string>) => {
  let out = ""
  let err = ""
  const code = await main(argv, {
    ...nodeIo,
    out: (t) => {
      out += `${t}\n`
    },
    err: (t) => {
      err += `${t}\n`
    },
    env: {},
  })
  return { code, out, err }
}

describe("anju id / uscc check", () => {
  it("a valid ID number exits 0 with what it derives", async () => {
    const r = await run(["id", "check", "11010519491231002X"])
    expect(r).toMatchObject({ code: 0 })
    expect(r.out).toContain("1949-12-31")
  })
  it("a wrong check digit exits 1 and says so", async () => {
    const r = await run(["id", "check", "110105194912310021"])
    expect(r.code).toBe(1)
    expect(r.err).toContain("GB11643.check-digit")
    expect(r.err).toContain("check digit does not match")
  })
  it("uscc check exits 0 / 1", async () => {
    expect((await run(["uscc", "check", "91350100M000100Y43"])).code).toBe(0)
    const bad = await run(["uscc", "check", "91350100M000100Y44"])
    expect(bad.code).toBe(1)
    expect(bad.err).toContain("GB32100.check-character")
  })
  it("usage errors exit 2", async () => {
    expect((await run(["id", "check"])).code).toBe(2)
    expect((await run(["id", "check", "1", "--bogus"])).code).toBe(2)
    expect((await run(["no-such-command"])).code).toBe(2)
  })
})

describe("anju stock import", () => {
  const HEADER =
    "project_id,project_name,kind,district,address,operator_uscc,operator_name,service_phone,building_id,building_name,total_floors,units_per_floor,has_lift,completion_date,unit_id,floor,room_no,bedrooms,halls,area,orientation,decoration,rent,market_rent"
  const P = "P1,馨越公寓,公租,310115,世博村路300号,91310000MA1FL0TB3Y,上海地产住房保障有限公司,021-12345678"
  const good = `${P},B1,1号楼,18,6,是,2023-06-30,U1,3,2,2,1,65.40,南,简装,1500,3200`
  const sixBedrooms = `${P},B1,1号楼,18,6,是,2023-06-30,U2,3,3,6,1,65.40,南,简装,1500,3200`
  const tallBuilding = `${P},B2,2号楼,101,6,是,2023-06-30,U3,3,1,2,1,65.40,南,简装,1500,3200`
  let dir = ""
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "anju-cli-"))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it("reports a 6-bedroom unit and a 101-floor building with their rules, and writes nothing", async () => {
    const bad = join(dir, "bad.csv")
    await writeFile(bad, [HEADER, good, sixBedrooms, tallBuilding].join("\n"))
    const data = join(dir, "pglite")
    const r = await run(["stock", "import", bad, "--data-dir", data])
    expect(r.code).toBe(1)
    expect(r.out).toContain("nothing written")
    expect(r.out).toMatch(/^3\tbedrooms\tR132\.bedrooms-range\t"6"/mu)
    expect(r.out).toMatch(/^4\ttotal_floors\tR132\.total-floors-max\t"101"/mu)
    // Nothing was written: importing the valid row alone now creates project, building and unit.
    const ok = join(dir, "good.csv")
    await writeFile(ok, [HEADER, good].join("\n"))
    const r2 = await run(["stock", "import", ok, "--data-dir", data, "--json"])
    expect(r2.code).toBe(0)
    expect(JSON.parse(r2.out)).toMatchObject({
      committed: true,
      written: { projects: 1, buildings: 1, units: 1 },
      issues: [],
    })
    // And re-importing it is idempotent.
    const r3 = await run(["stock", "import", ok, "--data-dir", data, "--json"])
    expect(JSON.parse(r3.out)).toMatchObject({ written: { units: 0 }, unchanged: 1 })
  })

  it("imports an XLSX workbook with the same per-row report", async () => {
    const rows = [HEADER, good, sixBedrooms].map((line) => line.split(","))
    const file = join(dir, "units.xlsx")
    await writeFile(file, await writeXlsx("units", rows))
    const r = await run(["stock", "import", file, "--memory", "--json"])
    expect(r.code).toBe(1)
    expect(JSON.parse(r.out)).toMatchObject({
      committed: false,
      issues: [{ row: 3, field: "bedrooms", rule: "R132.bedrooms-range" }],
    })
  })

  it("--partial writes the valid rows and reports the others", async () => {
    const bad = join(dir, "partial.csv")
    await writeFile(bad, [HEADER, good, sixBedrooms].join("\n"))
    const r = await run(["stock", "import", bad, "--memory", "--partial", "--json"])
    expect(r.code).toBe(1)
    expect(JSON.parse(r.out)).toMatchObject({
      committed: true,
      written: { units: 1 },
      issues: [{ row: 3, rule: "R132.bedrooms-range" }],
    })
  })
})

describe("toolchain guard", () => {
  it("runs on the pinned Node LTS, never the machine's end-of-life Node 20", () => {
    expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(22)
  })
})
