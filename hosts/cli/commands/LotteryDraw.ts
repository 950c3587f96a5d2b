/**
 * `anju lottery draw --pool pool.csv --seed <digits|hex|…> [--units units.csv] [--start-number N]
 * [--formats csv,xlsx,xml] [--hash sm3|sha256] [--title T] [--sign] [--record [storage flags]] --out DIR`
 * (R53, R55): writes DIR/transcript.json (canonical JSON), DIR/result.csv (always; byte-identical for the
 * same inputs) and, by default, result.xlsx and result.xml. Standalone it touches no database; `--record`
 * goes through the drawLottery use-case and the LotteryStore (run-once); `--sign` signs with SM2 through the
 * Signer port (ANJU_SM2_PRIVATE_KEY). Exit 0, 1 on bad input or a refused draw, 2 on usage errors.
 */
import { mkdir } from "node:fs/promises"
import { join } from "node:path"
import { ConfigProvider, Effect, Layer, Result } from "effect"
import { drawLottery } from "../../../application/lottery/DrawLottery.js"
import { Signer } from "../../../application/ports/Signer.js"
import * as Sm2Signer from "../../../adapters/sm/Sm2Signer.js"
import { draw, type LotteryDraw } from "../../../domain/lottery/Draw.js"
import { parseSeedArgument } from "../../../domain/lottery/Seed.js"
import { encodeTranscript, signingBytes, withSignature } from "../../../domain/lottery/Transcript.js"
import { lotteryStoreLayer } from "../../LotteryStores.js"
import { chooseStorage, describeStorage, STORAGE_FLAGS } from "../../StoreSelection.js"
import { parseArgs, required, UsageError } from "../Args.js"
import type { CliIo, Command } from "../Io.js"
import { resultXlsx, resultXml } from "./LotteryExport.js"
import { describeFailure, runWith } from "./LotteryFailures.js"
import { cliDigests, hashFlag, readPool, readUnits } from "./LotteryInput.js"

const FORMATS = ["csv", "xlsx", "xml"] as const
type Format = (typeof FORMATS)[number]

export const parseFormats = (value: string | undefined): ReadonlySet<Format> => {
  if (value === undefined) return new Set(FORMATS)
  const out = new Set<Format>(["csv"])
  for (const f of value.split(",")) {
    const v = f.trim().toLowerCase()
    if (v === "") continue
    if (!(FORMATS as ReadonlyArray<string>).includes(v))
      throw new UsageError(`--formats takes csv, xlsx and xml, not ${f}`)
    out.add(v as Format)
  }
  return out
}

const parseStartNumber = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  if (!/^[0-9]{1,15}$/u.test(value.trim()))
    throw new UsageError("--start-number must be a non-negative integer")
  return Number(value.trim())
}

/** The SM2 Signer from the environment (ANJU_SM2_PRIVATE_KEY, optional ANJU_SM2_USER_ID). */
const signerLayer = (env: CliIo["env"]) =>
  Sm2Signer.layerConfig.pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord({ ...env }))))

export const lotteryDraw: Command = {
  words: ["lottery", "draw"],
  usage:
    "lottery draw --pool pool.csv --seed <digits|hex|digits:…+drand:…> [--units units.csv] [--start-number N] [--formats csv,xlsx,xml] [--hash sm3|sha256] [--title T] [--sign] [--record [--database-url URL | --data-dir DIR]] --out DIR",
  run: async (argv, io) => {
    const args = parseArgs(argv, {
      values: [
        ...STORAGE_FLAGS.values,
        "pool",
        "seed",
        "units",
        "start-number",
        "formats",
        "hash",
        "out",
        "title",
      ],
      switches: [...STORAGE_FLAGS.switches, "record", "sign"],
    })
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`)
    const out = required(args, "out")
    const formats = parseFormats(args.values.get("formats"))
    const hash = hashFlag(args.values.get("hash"))
    const startNumber = parseStartNumber(args.values.get("start-number"))
    const seed = parseSeedArgument(required(args, "seed"))
    if (Result.isFailure(seed)) {
      io.err(`--seed: ${seed.failure.message} [${seed.failure.rule}]`)
      return 1
    }
    const pool = await readPool(io, required(args, "pool"))
    if (pool === undefined) return 1
    const unitsPath = args.values.get("units")
    const units = unitsPath === undefined ? undefined : await readUnits(io, unitsPath)
    if (unitsPath !== undefined && units === undefined) return 1
    const title = args.values.get("title")
    const sign = args.switches.has("sign")

    let result: LotteryDraw | undefined
    let drawId: string | undefined
    if (args.switches.has("record")) {
      const storage = chooseStorage(args, io.env)
      const recorded = await runWith(
        io,
        drawLottery({
          pool,
          seed: seed.success,
          hash,
          digests: cliDigests,
          sign,
          ...(units === undefined ? {} : { units }),
          ...(startNumber === undefined ? {} : { startNumber }),
          ...(title === undefined ? {} : { title }),
        }),
        sign ? Layer.mergeAll(lotteryStoreLayer(storage), signerLayer(io.env)) : lotteryStoreLayer(storage),
      )
      if (recorded === undefined) return 1
      result = recorded.draw
      drawId = recorded.drawId
      io.err(`recorded as ${drawId} on ${describeStorage(storage)}`)
    } else {
      const drawn = draw({
        pool,
        seed: seed.success,
        digest: cliDigests[hash]!,
        drawnAt: new Date().toISOString(),
        ...(units === undefined ? {} : { units }),
        ...(startNumber === undefined ? {} : { startNumber }),
        ...(title === undefined ? {} : { title }),
      })
      if (Result.isFailure(drawn)) {
        io.err(describeFailure(drawn.failure))
        return 1
      }
      result = drawn.success
      if (sign) {
        const t = result.transcript
        const signature = await runWith(
          io,
          Effect.gen(function* () {
            return yield* (yield* Signer).sign(signingBytes(t))
          }),
          signerLayer(io.env),
        )
        if (signature === undefined) return 1
        result = { ...result, transcript: withSignature(t, signature) }
      }
    }

    await mkdir(out, { recursive: true })
    const written = ["transcript.json", "result.csv"]
    await io.writeFile(join(out, "transcript.json"), `${encodeTranscript(result.transcript)}\n`)
    await io.writeFile(join(out, "result.csv"), result.resultCsv)
    const t = result.transcript
    if (formats.has("xlsx")) {
      await io.writeFile(join(out, "result.xlsx"), await resultXlsx(result.strata, t.startNumber))
      written.push("result.xlsx")
    }
    if (formats.has("xml")) {
      try {
        await io.writeFile(join(out, "result.xml"), resultXml(t, result.strata))
        written.push("result.xml")
      } catch (e) {
        io.err(`result.xml not written: ${(e as Error).message}`)
        return 1
      }
    }
    const winners = t.strata.reduce((n, s) => n + s.winners, 0)
    io.out(
      [
        `pool root (${t.hash}): ${t.poolRoot}`,
        `seed: ${t.seed.value}`,
        `entrants: ${t.entrants} in ${t.strata.length} strata; winners: ${winners}`,
        `result digest: ${t.resultDigest}`,
        ...(t.signature === undefined ? [] : [`signed (SM2) by ${t.signature.publicKey}`]),
        ...(drawId === undefined ? [] : [`draw id: ${drawId}`]),
        `written to ${out}: ${written.join(", ")}`,
      ].join("\n"),
    )
    return 0
  },
}
