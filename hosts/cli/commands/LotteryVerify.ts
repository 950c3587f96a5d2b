/**
 * `anju lottery verify --pool pool.csv --transcript transcript.json [--result result.csv] [--public-key HEX]`:
 * the offline verifier (R53). Recomputes root, strata, seed, draw and result digest (and compares result.csv
 * line by line when given); exit 0 when everything recomputes, 1 with the first mismatch, 2 on usage errors.
 */
import { Result } from "effect"
import { parseTranscript } from "../../../domain/lottery/Transcript.js"
import { verify } from "../../../domain/lottery/Verify.js"
import { parseArgs, required, UsageError } from "../Args.js"
import type { Command } from "../Io.js"
import { describeFailure } from "./LotteryFailures.js"
import { cliDigests, readPool, readText } from "./LotteryInput.js"

export const lotteryVerify: Command = {
  words: ["lottery", "verify"],
  usage:
    "lottery verify --pool pool.csv --transcript transcript.json [--result result.csv] [--public-key HEX]   recompute a draw offline",
  run: async (argv, io) => {
    const args = parseArgs(argv, { values: ["pool", "transcript", "result", "public-key"] })
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`)
    const transcriptPath = required(args, "transcript")
    const text = await readText(io, transcriptPath)
    if (text === undefined) return 1
    const transcript = parseTranscript(text)
    if (Result.isFailure(transcript)) {
      io.err(`${transcriptPath}: ${transcript.failure.message}`)
      return 1
    }
    const pool = await readPool(io, required(args, "pool"))
    if (pool === undefined) return 1
    const resultPath = args.values.get("result")
    const resultCsv = resultPath === undefined ? undefined : await io.readFile(resultPath)
    const publicKey = args.values.get("public-key")
    const r = verify({
      pool,
      transcript: transcript.success,
      digests: cliDigests,
      ...(resultCsv === undefined ? {} : { resultCsv }),
      ...(publicKey === undefined ? {} : { expectedPublicKey: publicKey }),
    })
    if (Result.isFailure(r)) {
      io.err(`mismatch: ${describeFailure(r.failure)}`)
      return 1
    }
    const t = transcript.success
    io.out(
      [
        `verified: ${t.algorithm} with ${t.hash}`,
        `pool root ${t.poolRoot} (${t.entrants} entrants, ${t.strata.length} strata)`,
        `seed ${t.seed.value} from ${t.seed.sources.length} source(s)`,
        `result digest ${t.resultDigest}${resultPath === undefined ? "" : `; ${resultPath} matches line by line`}`,
        ...(t.signature === undefined ? [] : [`SM2 signature valid (public key ${t.signature.publicKey})`]),
      ].join("\n"),
    )
    return 0
  },
}
