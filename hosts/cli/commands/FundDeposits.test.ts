/**
 * `anju fund bills stock|issue`, `anju fund deposit` and `anju fund account` on one PGlite data folder
 * seeded through the use-cases: a deposit receipted by a bill (M31/M42) posts A1 and shows in the account;
 * the same bill on a second deposit is refused with its rule (exit 1); bad flags are usage errors (exit 2).
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer, ManagedRuntime } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as MemoryFieldCipher from "../../../adapters/memory/MemoryFieldCipher.js"
import {
  registerArea,
  registerBuilding,
  registerEntrance,
  registerHousehold,
} from "../../../application/fund/BasicData.js"
import type { Actor } from "../../../domain/access/Access.js"
import { fundRegistryLayer } from "../../FundStores.js"
import { nodeIo } from "../Io.js"
import { FUND_DEPOSIT_COMMANDS } from "./FundDeposits.js"

const run = async (argv: ReadonlyArray<string>) => {
  let out = ""
  let err = ""
  const command = FUND_DEPOSIT_COMMANDS.find((c) => c.words.every((w, i) => argv[i] === w))
  if (command === undefined) throw new Error(`no command ${argv.join(" ")}`)
  const code = await command.run(argv.slice(command.words.length), {
    ...nodeIo,
    out: (t) => {
      out += `${t}\n`
    },
    err: (t) => {
      err += `${t}\n`
    },
    env: { USER: "clerk" },
  })
  return { code, out, err }
}

let dir = ""
const CITY: Actor = { role: "city", id: "city-1" }
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "anju-fund-cli-"))
  const runtime = ManagedRuntime.make(
    Layer.merge(fundRegistryLayer({ kind: "pglite", dataDir: dir }), MemoryFieldCipher.layer()).pipe(
      Layer.orDie,
    ),
  )
  await runtime.runPromise(
    Effect.gen(function* () {
      yield* registerArea(CITY, { id: "A-1", name: "安居苑", district: "310115", stage: "custody" })
      yield* registerBuilding(CITY, {
        id: "B-1",
        areaId: "A-1",
        name: "1幢",
        type: "multi-storey",
        hasLift: false,
      })
      yield* registerEntrance(CITY, { id: "E-1", areaId: "A-1", buildingId: "B-1", name: "1单元" })
      yield* registerHousehold(CITY, {
        id: "H-1",
        areaId: "A-1",
        entranceId: "E-1",
        area: 7_000,
        book: "commodity",
        owners: [{ id: "O-1", kind: "person", name: "王五" }],
      })
    }),
  )
  await runtime.dispose()
}, 240_000)
afterAll(() => rm(dir, { recursive: true, force: true }))

describe("anju fund deposit|account|bills", () => {
  it("stocks and issues bills, records a deposit with one, refuses the bill twice, shows the account", {
    timeout: 240_000,
  }, async () => {
    const d = ["--data-dir", dir]
    expect(
      (
        await run([
          "fund",
          "bills",
          "stock",
          ...d,
          "--batch",
          "CL-1",
          "--prefix",
          "CL",
          "--first",
          "1",
          "--count",
          "2",
        ])
      ).code,
    ).toBe(0)
    expect(
      (
        await run([
          "fund",
          "bills",
          "issue",
          ...d,
          "--staff",
          "cli:clerk",
          "--numbers",
          "CL00000001,CL00000002",
        ])
      ).code,
    ).toBe(0)
    const dep = await run([
      "fund",
      "deposit",
      ...d,
      "--id",
      "D-1",
      "--household",
      "H-1",
      "--kind",
      "first",
      "--amount",
      "3150.00",
      "--bill",
      "CL00000001",
      "--date",
      "2026-03-02",
    ])
    expect([dep.code, dep.err]).toEqual([0, ""])
    expect(dep.out).toContain("¥3150.00")
    const again = await run([
      "fund",
      "deposit",
      ...d,
      "--id",
      "D-2",
      "--household",
      "H-1",
      "--kind",
      "continued",
      "--amount",
      "1.00",
      "--bill",
      "CL00000001",
    ])
    expect(again.code).toBe(1)
    expect(again.err).toContain("[M42.used-once]")
    const acc = await run(["fund", "account", ...d, "--household", "H-1", "--json"])
    const body = JSON.parse(acc.out)
    expect(body.balance).toEqual({ principal: 315_000, income: 0 })
    expect(body.deposits.map((x: { billNo: string }) => x.billNo)).toEqual(["CL00000001"])
    expect(
      (
        await run([
          "fund",
          "deposit",
          ...d,
          "--id",
          "D-3",
          "--household",
          "H-1",
          "--kind",
          "first",
          "--amount",
          "abc",
        ])
      ).code,
    ).toBe(2)
  })
})
