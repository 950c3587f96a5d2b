/**
 * `anju selection import` on a PGlite data folder (R54): a drawn round is stored, an offline session is started
 * from its result.csv and its units, run (check-in, choose, skip), exported sealed, and imported into the
 * round's server selection records: the chosen unit is let, the session's progress printed; importing the same
 * file again writes nothing and says so.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer, ManagedRuntime, Option } from "effect"
import { sm2 } from "sm-crypto-v2"
import { afterAll, describe, expect, it } from "vitest"
import { standingDraw } from "../../../application/lottery/LotteryRounds.js"
import { LotteryStore } from "../../../application/ports/LotteryStore.js"
import { seedDrawnRound } from "../../../contracts-tests/SelectionFixtures.js"
import { storesLayer } from "../../StoreSelection.js"
import { nodeIo } from "../Io.js"
import { SELECTION_COMMANDS } from "./SelectionCommands.js"

const run = async (argv: ReadonlyArray<string>) => {
  let out = ""
  let err = ""
  const c = SELECTION_COMMANDS.find((x) => x.words.every((w, i) => argv[i] === w))!
  const code = await c.run(argv.slice(c.words.length), {
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

describe("anju selection import into a stored round", () => {
  let dir = ""
  afterAll(async () => {
    if (dir !== "") await rm(dir, { recursive: true })
  })

  it("writes the offline result into the round's selection once; a second import changes nothing", async () => {
    dir = await mkdtemp(join(tmpdir(), "anju-selection-import-"))
    const data = join(dir, "data")
    // The round, drawn, in the data folder (then closed: one process owns a PGlite folder).
    const runtime = ManagedRuntime.make(storesLayer({ kind: "pglite", dataDir: data }).pipe(Layer.orDie))
    const { round, resultCsv } = await runtime.runPromise(
      Effect.gen(function* () {
        const round = yield* seedDrawnRound("cli-import", { families: 2, units: 1 })
        const stored = Option.getOrThrow(yield* (yield* LotteryStore).getRound(round.roundId))
        return { round, resultCsv: standingDraw(stored)!.resultCsv }
      }),
    )
    await runtime.dispose()
    await writeFile(join(dir, "families.csv"), resultCsv)
    await writeFile(
      join(dir, "units.csv"),
      `id,stratum\n${round.units.map((u) => `${u.id},${round.projectId}/${u.bedrooms}-${u.halls}`).join("\n")}\n`,
    )
    const rows = resultCsv
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(","))
    const first = rows.find((r) => r[0] === round.strata.oneRoom && r[1] === "1")![3]!
    const firstTwo = rows.find((r) => r[0] === round.strata.twoRoom && r[1] === "1")![3]!
    const oneRoomUnit = round.units.find((u) => u.bedrooms === 1)!.id
    const state = join(dir, "s.json")
    const ok = async (...argv: ReadonlyArray<string>) => {
      const r = await run(argv)
      expect(r.err).toBe("")
      expect(r.code).toBe(0)
      return r.out
    }
    const at = (t: string) => ["--at", `2026-12-04T${t}+08:00`]
    await ok(
      "selection",
      "init",
      "--families",
      join(dir, "families.csv"),
      "--units",
      join(dir, "units.csv"),
      "--state",
      state,
      ...at("09:00:00"),
    )
    await ok("selection", "check-in", "--state", state, "--barcode", first, ...at("09:01:00"))
    await ok(
      "selection",
      "choose",
      "--state",
      state,
      "--family",
      first,
      "--unit",
      oneRoomUnit,
      ...at("09:02:00"),
    )
    await ok("selection", "skip", "--state", state, "--family", firstTwo, ...at("09:03:00"))
    const keys = sm2.generateKeyPairHex()
    const sm4 = "00112233445566778899aabbccddeeff"
    const bin = join(dir, "result.bin")
    await ok(
      "selection",
      "export",
      "--state",
      state,
      "--out",
      bin,
      "--sm4-key",
      sm4,
      "--sm2-private-key",
      keys.privateKey,
    )
    const importArgs = [
      "selection",
      "import",
      "--in",
      bin,
      "--round",
      round.roundId,
      "--sm4-key",
      sm4,
      "--sm2-public-key",
      keys.publicKey,
      "--data-dir",
      data,
    ]
    const imported = await ok(...importArgs)
    expect(imported).toMatch(
      new RegExp(`selection SS-\\w+ of round ${round.roundId} .*: 3 record\\(s\\) written`, "u"),
    )
    expect(imported).toContain("families 4: selected 1, skipped 1, released 0, waiting 2")
    expect(imported).toContain(`${first},${oneRoomUnit},${round.projectId},1室1厅,let`)
    const again = await ok(...importArgs)
    expect(again).toContain("already imported, nothing changed")
    expect(again).toContain("families 4: selected 1, skipped 1, released 0, waiting 2")
  }, 600_000)
})
