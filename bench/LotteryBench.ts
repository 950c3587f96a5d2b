/**
 * Benchmark of the verifiable lottery (R53, R55): 1,000,000 entrants over 20 strata. Baseline: hashing every
 * pool.csv line once with SHA-256 in this process (`createHash("sha256").update(line).digest()` per line;
 * `crypto.hash` shown too). Draw and verify (fresh objects: pool.csv and transcript.json parsed anew, result.csv
 * compared line by line) are reported as ratios to that baseline, goal ≤ 3×, median of 3 runs, for SM3
 * (default) and SHA-256 with the CLI's digests. Run alone: `npx tsx bench/LotteryBench.ts [entrants]`.
 */
import { createHash, hash as oneShotHash } from "node:crypto"
import { cpus, loadavg } from "node:os"
import { pathToFileURL } from "node:url"
import { Result } from "effect"
import type { HashName } from "../domain/lottery/Digest.js"
import { draw, type LotteryDraw } from "../domain/lottery/Draw.js"
import type { Pool } from "../domain/lottery/Pool.js"
import { parsePoolCsv, parseUnitsCsv } from "../domain/lottery/PoolCsv.js"
import { encodeTranscript, parseTranscript } from "../domain/lottery/Transcript.js"
import { verify } from "../domain/lottery/Verify.js"
import { cliDigests } from "../hosts/cli/commands/LotteryInput.js"

const GOAL = 3

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

const time = <A>(f: () => A): [A, number] => {
  const t0 = performance.now()
  const a = f()
  return [a, performance.now() - t0]
}

/** pool.csv text with `entrants` rows over `strata` strata (deterministic ids, no other columns). */
export const poolCsv = (
  entrants: number,
  strata: number,
): { readonly text: string; readonly units: string } => {
  const lines = ["id,stratum"]
  const names = Array.from(
    { length: strata },
    (_, s) => `P${String(1 + (s >> 2)).padStart(2, "0")}-${1 + (s % 4)}R`,
  )
  for (let i = 0; i < entrants; i++)
    lines.push(`A${String(i + 1).padStart(7, "0")},${names[(i * 7919) % strata]}`)
  const units = ["stratum,units", ...names.map((n, s) => `${n},${100 + 37 * s}`)].join("\n")
  return { text: `${lines.join("\n")}\n`, units }
}

export interface LotteryBenchFigures {
  readonly entrants: number
  readonly strata: number
  /** Median milliseconds. */
  readonly baselineCreateHashMs: number
  readonly baselineCryptoHashMs: number
  readonly parseMs: number
  readonly draw: Readonly<Record<HashName, { readonly ms: number; readonly ratio: number }>>
  readonly verify: Readonly<Record<HashName, { readonly ms: number; readonly ratio: number }>>
}

export const benchLottery = async (
  options: { readonly entrants?: number; readonly strata?: number; readonly runs?: number } = {},
): Promise<LotteryBenchFigures> => {
  const entrants = options.entrants ?? 1_000_000
  const strata = options.strata ?? 20
  const runs = options.runs ?? 3
  const { text, units: unitsText } = poolCsv(entrants, strata)
  const lines = text.split("\n").slice(1, -1)
  const units = Result.getOrThrow(parseUnitsCsv(unitsText))
  const seed = [{ kind: "digits" as const, digits: "20250601" }]

  // (a) Baseline: every pool line hashed once with SHA-256.
  const base1: Array<number> = []
  const base2: Array<number> = []
  let sink = 0
  for (let r = 0; r < runs; r++) {
    base1.push(
      time(() => {
        for (const line of lines) sink ^= createHash("sha256").update(line).digest()[0]!
      })[1],
    )
    base2.push(
      time(() => {
        for (const line of lines) sink ^= oneShotHash("sha256", line, "buffer")[0]!
      })[1],
    )
  }
  const baseline = median(base1)
  const baselineOneShot = median(base2)

  // (b) Draw: pool.csv parsed, then the draw (transcript + result.csv). (c) Verify on freshly parsed inputs.
  const parseTimes: Array<number> = []
  const drawFigures = {} as Record<HashName, { ms: number; ratio: number }>
  const verifyFigures = {} as Record<HashName, { ms: number; ratio: number }>
  const published: Partial<Record<HashName, { transcript: string; result: Uint8Array }>> = {}
  for (const hash of ["SM3", "SHA-256"] as const) {
    const drawTimes: Array<number> = []
    const verifyTimes: Array<number> = []
    for (let r = 0; r < runs; r++) {
      const [d, ms] = time((): LotteryDraw => {
        const [pool, parseMs] = time((): Pool => Result.getOrThrow(parsePoolCsv(text)))
        parseTimes.push(parseMs)
        return Result.getOrThrow(draw({ pool, seed, units, digest: cliDigests[hash]! }))
      })
      drawTimes.push(ms)
      const out = { transcript: encodeTranscript(d.transcript), result: d.resultCsv }
      const prior = published[hash]
      if (
        prior !== undefined &&
        (prior.transcript !== out.transcript || Buffer.compare(prior.result, out.result) !== 0)
      )
        throw new Error(`draw under ${hash} is not deterministic`)
      published[hash] = out
      const resultCopy = out.result.slice()
      verifyTimes.push(
        time(() => {
          const pool = Result.getOrThrow(parsePoolCsv(text))
          const transcript = Result.getOrThrow(parseTranscript(out.transcript))
          const v = verify({ pool, transcript, resultCsv: resultCopy, digests: cliDigests })
          if (Result.isFailure(v)) throw new Error(`verify failed: ${v.failure._tag}`)
        })[1],
      )
    }
    drawFigures[hash] = { ms: median(drawTimes), ratio: median(drawTimes) / baseline }
    verifyFigures[hash] = { ms: median(verifyTimes), ratio: median(verifyTimes) / baseline }
  }
  const parseMs = median(parseTimes)

  const f = (ms: number) => `${Math.round(ms).toLocaleString("en")} ms`
  const x = (ratio: number) => `${ratio.toFixed(2)}×`
  const goal = (ratio: number) => `goal ≤ ${GOAL}× ${ratio <= GOAL ? "met" : "NOT met"}`
  console.log(
    [
      `lottery: ${entrants.toLocaleString("en")} entrants in ${strata} strata (pool.csv ${(text.length / 1e6).toFixed(1)} MB), median of ${runs} runs`,
      `  (a) baseline, SHA-256 of every pool line, createHash().update(line).digest(): ${f(baseline)}`,
      `      same with crypto.hash("sha256", line):                                   ${f(baselineOneShot)}`,
      ...(["SM3", "SHA-256"] as const).flatMap((h) => [
        `  (b) draw ${h.padEnd(7)} (parse pool.csv + draw + result.csv):  ${f(drawFigures[h].ms)} = ${x(drawFigures[h].ratio)} baseline (${x(drawFigures[h].ms / baselineOneShot)} of crypto.hash)  ${goal(drawFigures[h].ratio)}`,
        `  (c) verify ${h.padEnd(7)} (fresh parse of pool.csv + transcript, result.csv compared): ${f(verifyFigures[h].ms)} = ${x(verifyFigures[h].ratio)} baseline (${x(verifyFigures[h].ms / baselineOneShot)} of crypto.hash)  ${goal(verifyFigures[h].ratio)}`,
      ]),
      `  of which parsing pool.csv: ${f(parseMs)}`,
      `  machine: ${cpus().length} CPUs, node ${process.versions.node}, load average ${loadavg()[0]?.toFixed(1)} (sink ${sink & 1})`,
    ].join("\n"),
  )
  return {
    entrants,
    strata,
    baselineCreateHashMs: baseline,
    baselineCryptoHashMs: baselineOneShot,
    parseMs,
    draw: drawFigures,
    verify: verifyFigures,
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchLottery({ entrants: Number(process.argv[2] ?? process.env["BENCH_ENTRANTS"] ?? 1_000_000) })
}
