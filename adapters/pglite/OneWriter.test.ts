/**
 * One writer per PGlite data folder, end to end (issue 10): a host-like owner holds a data folder and
 * writes; a second open in this process and the README's `anju stock import` in another process (real
 * CLI through tsx) are refused at once with the owner's pid and URL; after the owner closes, a reopen
 * finds every write it acknowledged and nothing of the refused import. One PGlite boot per open (slow).
 */
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect, Exit, Layer, ManagedRuntime } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { StockStore } from "../../application/ports/StockStore.js"
import { fromRandomBytes, PUBLIC_CODE_BYTES } from "../../domain/stock/PublicCode.js"
import type { Building, Project, Unit, UnitId } from "../../domain/stock/Stock.js"
import type { PgDatabaseStartError } from "../postgres/PgDatabase.js"
import * as PgStockStore from "../postgres/PgStockStore.js"
import { dataDirOwner, heldDataDirLock } from "./DataDirLock.js"
import * as PgliteDatabase from "./PgliteDatabase.js"

const ROOT = fileURLToPath(new URL("../../", import.meta.url))
const dir = mkdtempSync(join(tmpdir(), "anju-one-writer-"))
const dataDir = join(dir, "data")
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const storeOn = () => PgStockStore.layer.pipe(Layer.provide(PgliteDatabase.layer({ dataDir })))

const project = {
  id: "P-ow",
  name: "馨越公寓",
  kind: "gongzu",
  district: "310115",
  address: "上海市浦东新区世博村路300号",
  operatorUscc: "91310000MA1FL0TB3Y",
  operatorName: "上海地产住房保障有限公司",
  servicePhone: "021-12345678",
} as unknown as Project
const building = {
  id: "B-ow",
  projectId: "P-ow",
  name: "1号楼",
  totalFloors: 18,
  unitsPerFloor: 6,
  hasLift: true,
  completionDate: "2023-06-30",
} as unknown as Building
const unit = (n: number) =>
  ({
    id: `U-ow-${n}`,
    code: fromRandomBytes(new Uint8Array(PUBLIC_CODE_BYTES).fill(n)),
    projectId: "P-ow",
    buildingId: "B-ow",
    floor: 1 + Math.floor((n - 1) / 6),
    roomNo: 1 + ((n - 1) % 6),
    bedrooms: 2,
    halls: 1,
    area: 7230,
    orientation: null,
    decoration: null,
    rent: 180000,
    marketRent: 360000,
    kind: "gongzu",
    status: "draft",
    lockedFrom: null,
    supplied: false,
    version: 1,
  }) as unknown as Unit

/** `anju stock import <csv> --data-dir <dataDir>` in a fresh process. */
const cliImport = (csv: string) =>
  new Promise<{ code: number | null; out: string; err: string; ms: number }>((resolve) => {
    const t = performance.now()
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(ROOT, "hosts/cli/bin.ts"), "stock", "import", csv, "--data-dir", dataDir],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: "" } },
    )
    let out = ""
    let err = ""
    child.stdout.on("data", (d) => (out += d))
    child.stderr.on("data", (d) => (err += d))
    child.on("close", (code) => resolve({ code, out, err, ms: performance.now() - t }))
  })

describe("one writer per PGlite data folder", () => {
  it("refuses other openers while the owner runs; every acknowledged write survives a reopen", async () => {
    const owner = ManagedRuntime.make(storeOn())
    let ownerOpen = true
    try {
      // The owner writes (each write is acknowledged before the next step).
      await owner.runPromise(
        Effect.flatMap(StockStore, (s) =>
          s.write({ projects: [project], buildings: [building], units: [unit(1), unit(2)] }),
        ),
      )
      const lock = heldDataDirLock(dataDir)
      expect(lock).toBeDefined()
      lock!.advertise("http://127.0.0.1:3000")
      expect(dataDirOwner(dataDir)).toMatchObject({ pid: process.pid, url: "http://127.0.0.1:3000" })
      const expected = `the data folder ${dataDir} is in use by the Anju host pid ${process.pid} at http://127.0.0.1:3000; stop it, or send the command to that host`

      // A second open in this process: a typed start error, at once.
      const t = performance.now()
      const second = await Effect.runPromiseExit(Layer.build(storeOn()).pipe(Effect.scoped))
      expect(performance.now() - t).toBeLessThan(15_000) // refused, not queued behind the owner (a hang would time out)
      expect(Exit.isFailure(second)).toBe(true)
      const error = Exit.isFailure(second)
        ? (second.cause.reasons.find((r) => r._tag === "Fail") as { error: PgDatabaseStartError } | undefined)
            ?.error
        : undefined
      expect(error?.reason).toEqual({
        _tag: "DataDirInUse",
        dataDir,
        pid: process.pid,
        hostname: expect.any(String),
        url: "http://127.0.0.1:3000",
      })
      expect(error?.message).toBe(expected)

      // The README's CLI step while the host runs: exits non-zero with the message, writes nothing.
      const csv = join(dir, "units.csv")
      writeFileSync(
        csv,
        [
          "project_id,project_name,kind,district,address,operator_uscc,operator_name,service_phone,building_id,building_name,total_floors,units_per_floor,has_lift,completion_date,unit_id,floor,room_no,bedrooms,halls,area,orientation,decoration,rent,market_rent",
          "P-cli,馨越公寓,公租,310115,上海市浦东新区世博村路300号,91310000MA1FL0TB3Y,上海地产住房保障有限公司,021-12345678,B-cli,1号楼,18,6,是,2023-06-30,U-cli-1,3,1,2,1,72.30,南,简装,1800.00,3600.00",
        ].join("\n"),
      )
      const cli = await cliImport(csv)
      expect(cli.code, cli.err).not.toBe(0)
      expect(cli.err).toContain(expected)
      expect(cli.out).not.toContain("written:")

      // The owner keeps writing after the refusals.
      await owner.runPromise(
        Effect.flatMap(StockStore, (s) => s.write({ projects: [], buildings: [], units: [unit(3)] })),
      )
      await owner.dispose()
      ownerOpen = false
      expect(dataDirOwner(dataDir)).toBeUndefined()

      // Reopen: all three acknowledged units are there, the refused import left nothing.
      const reopened = ManagedRuntime.make(storeOn())
      try {
        const units = await reopened.runPromise(
          Effect.flatMap(StockStore, (s) =>
            s.getUnits(["U-ow-1", "U-ow-2", "U-ow-3", "U-cli-1"] as Array<UnitId>),
          ),
        )
        expect(units.map((u) => u.id)).toEqual(["U-ow-1", "U-ow-2", "U-ow-3"])
      } finally {
        await reopened.dispose()
      }
    } finally {
      if (ownerOpen) await owner.dispose()
    }
  }, 240_000)
})
