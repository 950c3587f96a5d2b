import { describe, expect, it } from "vitest"
import { readXlsx, writeXlsx } from "./XlsxTable.js"

describe("XLSX tables", () => {
  it("round-trips text and numbers with spreadsheet row numbers", async () => {
    const bytes = await writeXlsx("units", [
      ["unit_id", "floor", "area", "name"],
      ["U1", 3, 65.4, "一号楼"],
      ["U2", 12, 80, "二号楼"],
    ])
    const rows = await readXlsx(bytes)
    expect(rows).toEqual([
      { row: 1, cells: ["unit_id", "floor", "area", "name"] },
      { row: 2, cells: ["U1", "3", "65.4", "一号楼"] },
      { row: 3, cells: ["U2", "12", "80", "二号楼"] },
    ])
  })
})
