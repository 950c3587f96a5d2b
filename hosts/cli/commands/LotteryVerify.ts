/**
 * `anju lottery verify --pool pool.csv --transcript transcript.json [--result result.csv] [--public-key HEX]`:
 * the offline verifier (R53). Recomputes root, strata, seed, draw and result digest (and compares result.csv
 * line by line when given); exit 0 when everything recomputes, 1 with the first mismatch, 2 on usage errors.
 */
import { Result } from "effect"
import { parseTranscript } from "../../../domain/lottery/Transcript.js"
import { verify } from "../../../domain/lottery/Verify.js"
import { optionalText, text } from "../Args.js"
import { defineCommand } from "../CliCommand.js"
import { describeFailure } from "./LotteryFailures.js"
import { cliDigests, readPool, readText } from "./LotteryInput.js"

export const lotteryVerify = defineCommand({
  words: ["lottery", "verify"],
  description: "recompute a draw offline from the pool and its transcript (R53)",
  examples: [
    {
      command:
        "anju lottery verify --pool contracts-tests/cases/samples/lottery-pool.csv --transcript draw/transcript.json --result draw/result.csv",
      description: "exit 0 when everything recomputes, 1 with the first mismatch",
    },
  ],
  config: {
    pool: text("pool", "pool.csv", "the committed pool"),
    transcript: text("transcript", "transcript.json", "the draw's transcript"),
    result: optionalText("result", "result.csv", "also compare the published result line by line"),
    publicKey: optionalText("public-key", "HEX", "the SM2 public key the transcript must be signed with"),
  },
  run: async (input, io) => {
    const transcriptPath = input.transcript
    const text = await readText(io, transcriptPath)
    if (text === undefined) return 1
    const transcript = parseTranscript(text)
    if (Result.isFailure(transcript)) {
      io.err(`${transcriptPath}: ${transcript.failure.message}`)
      return 1
    }
    const pool = await readPool(io, input.pool)
    if (pool === undefined) return 1
    const resultPath = input.result
    const resultCsv = resultPath === undefined ? undefined : await io.readFile(resultPath)
    const publicKey = input.publicKey
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
})
