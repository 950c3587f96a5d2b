/**
 * One writer per PGlite data folder, as the CLI reports it: while a host holds the folder (its DataDirLock,
 * taken here in-process and advertised with a URL), every command that opens storage prints exactly one line
 * on stderr — the command, the folder, the host's pid and URL — and exits 2, without opening the database
 * and without an error class or stack trace. Once the lock is released the same command opens the folder.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { acquireDataDirLock, type DataDirLock } from "../../adapters/pglite/DataDirLock.js"
import { nodeIo } from "./Io.js"
import { main } from "./Main.js"

const run = async (argv: ReadonlyArray<string>) => {
  const out: Array<string> = []
  const err: Array<string> = []
  const code = await main(argv, {
    ...nodeIo,
    out: (t) => out.push(...t.split("\n")),
    err: (t) => err.push(...t.split("\n")),
    env: {},
  })
  return { code, out, err }
}

const URL = "http://127.0.0.1:3999"
let dir = ""
let dataDir = ""
let csv = ""
let lock: DataDirLock | undefined

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "anju-held-"))
  dataDir = join(dir, "data")
  csv = join(dir, "units.csv")
  await writeFile(
    csv,
    [
      "project_id,project_name,kind,district,address,operator_uscc,operator_name,service_phone,building_id,building_name,total_floors,units_per_floor,has_lift,completion_date,unit_id,floor,room_no,bedrooms,halls,area,orientation,decoration,rent,market_rent",
      "P1,馨越公寓,公租,310115,世博村路300号,91310000MA1FL0TB3Y,上海地产住房保障有限公司,021-12345678,B1,1号楼,18,6,是,2023-06-30,U1,3,2,2,1,65.40,南,简装,1500,3200",
    ].join("\n"),
  )
  lock = acquireDataDirLock(dataDir)
  lock.advertise(URL)
})

afterAll(async () => {
  lock?.release()
  await rm(dir, { recursive: true, force: true })
})

/** Every command that opens storage (its name in messages, then its arguments up to the storage flags). */
const COMMANDS: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
  ["stock import", ["stock", "import", "<csv>"]],
  ["demo city", ["demo", "city", "--units", "10"]],
  ["users list", ["users", "list"]],
  ["roles list", ["roles", "list"]],
  ["api-keys list", ["api-keys", "list"]],
  ["users disable", ["users", "disable", "--id", "u-1"]],
  ["audit verify", ["audit", "verify"]],
  ["audit checkpoint", ["audit", "checkpoint"]],
  ["ledger verify", ["ledger", "verify"]],
  ["fund report", ["fund", "report", "--as-of", "2026-12-31"]],
  ["lottery annul", ["lottery", "annul", "--draw", "LD-1", "--reason", "公证员未到场，依规作废"]],
  ["serve", ["serve", "--port", "0"]],
]

describe("a data folder held by a running host", () => {
  it.each(COMMANDS)(
    "anju %s: one line naming the folder, the host pid and URL; exit 2",
    async (name, words) => {
      const r = await run([...words.map((w) => (w === "<csv>" ? csv : w)), "--data-dir", dataDir])
      expect(r.err.filter((l) => l !== "")).toEqual([
        `anju ${name}: the data folder ${dataDir} is in use by the Anju host pid ${process.pid} at ${URL}; stop it, or send the command to that host`,
      ])
      expect(r.code).toBe(2)
      expect(r.out.join("\n")).not.toMatch(/PgDatabaseStartError|Error:|\bat .*\.ts:\d+/u)
    },
  )

  it("once the host is gone, the same command opens the folder", async () => {
    lock?.release()
    lock = undefined
    const r = await run(["users", "list", "--data-dir", dataDir])
    expect(r.err.join("\n")).not.toMatch(/in use/u)
    expect(r.code).toBe(0)
  }, 60_000)
})
