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
import type { HashName } from "../../../domain/lottery/Digest.js"
import { draw, type LotteryDraw } from "../../../domain/lottery/Draw.js"
import { parseSeedArgument } from "../../../domain/lottery/Seed.js"
import { encodeTranscript, signingBytes, withSignature } from "../../../domain/lottery/Transcript.js"
import { lotteryStoreLayer } from "../../LotteryStores.js"
import { describeStorage } from "../../StoreSelection.js"
import {
  optionalText,
  type StorageInput,
  storageFlags,
  storageOf,
  switchFlag,
  text,
  UsageError,
} from "../Args.js"
import { defineCommand } from "../CliCommand.js"
import type { CliIo, Progress } from "../Io.js"
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

export const lotteryDraw = defineCommand({
  words: ["lottery", "draw"],
  description: "draw the lottery (R53, R55): transcript.json, result.csv (+ .xlsx, .xml) in a folder",
  examples: [
    {
      command:
        "anju lottery draw --pool contracts-tests/cases/samples/lottery-pool.csv --units contracts-tests/cases/samples/lottery-units.csv --seed 20261123 --out draw/",
      description: "standalone: touches no database",
    },
    {
      command: "anju lottery draw --pool pool.csv --seed 20261123 --out draw/ --record --sign",
      description: "run-once through the LotteryStore, signed with ANJU_SM2_PRIVATE_KEY",
    },
  ],
  config: {
    pool: text("pool", "pool.csv", "the committed pool: id,stratum[,…]"),
    seed: text("seed", "digits|hex:…|digits:…+drand:…", "the public seed"),
    units: optionalText("units", "units.csv", "stratum,units: winners per stratum (default: everyone waits)"),
    startNumber: optionalText("start-number", "N", "the first sequence number (default 1)"),
    formats: optionalText("formats", "csv,xlsx,xml", "result files besides result.csv (default: all)"),
    hash: hashFlag,
    title: optionalText("title", "T", "the draw's title"),
    sign: switchFlag("sign", "sign the transcript with SM2 (ANJU_SM2_PRIVATE_KEY, ANJU_SM2_USER_ID)"),
    record: switchFlag(
      "record",
      "record through the LotteryStore: one standing draw per pool (storage flags)",
    ),
    out: text("out", "DIR", "the folder to write into (created)"),
    storage: storageFlags,
  },
  run: async (input, io) => {
    const { out, hash, title, sign } = input
    const formats = parseFormats(input.formats)
    const startNumber = parseStartNumber(input.startNumber)
    const progress = io.progress(
      "lottery draw",
      3 + (formats.has("xlsx") ? 1 : 0) + (formats.has("xml") ? 1 : 0),
    )
    try {
      return await drawWith(input, io, { out, hash, title, sign, formats, startNumber, progress })
    } finally {
      progress.stop()
    }
  },
})

interface Drawing {
  readonly out: string
  readonly hash: HashName
  readonly title: string | undefined
  readonly sign: boolean
  readonly formats: ReadonlySet<Format>
  readonly startNumber: number | undefined
  readonly progress: Progress
}

const drawWith = async (
  input: {
    readonly seed: string
    readonly pool: string
    readonly units: string | undefined
    readonly record: boolean
    readonly storage: StorageInput
  },
  io: CliIo,
  { out, hash, title, sign, formats, startNumber, progress }: Drawing,
): Promise<number> => {
  const seed = parseSeedArgument(input.seed)
  if (Result.isFailure(seed)) {
    io.err(`--seed: ${seed.failure.message} [${seed.failure.rule}]`)
    return 1
  }
  const pool = await readPool(io, input.pool)
  if (pool === undefined) return 1
  const unitsPath = input.units
  const units = unitsPath === undefined ? undefined : await readUnits(io, unitsPath)
  if (unitsPath !== undefined && units === undefined) return 1
  progress.tick(1, "drawing")

  let result: LotteryDraw | undefined
  let drawId: string | undefined
  if (input.record) {
    const storage = storageOf(input.storage, io.env)
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

  progress.tick(1, "writing")
  await mkdir(out, { recursive: true })
  const written = ["transcript.json", "result.csv"]
  await io.writeFile(join(out, "transcript.json"), `${encodeTranscript(result.transcript)}\n`)
  await io.writeFile(join(out, "result.csv"), result.resultCsv)
  progress.tick(1, "result.xlsx")
  const t = result.transcript
  if (formats.has("xlsx")) {
    await io.writeFile(join(out, "result.xlsx"), await resultXlsx(result.strata, t.startNumber))
    written.push("result.xlsx")
    progress.tick(1, "result.xml")
  }
  if (formats.has("xml")) {
    try {
      await io.writeFile(join(out, "result.xml"), resultXml(t, result.strata))
      written.push("result.xml")
      progress.tick(1)
    } catch (e) {
      io.err(`result.xml not written: ${(e as Error).message}`)
      return 1
    }
  }
  progress.stop()
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
}
