/**
 * `anju lottery commit --pool pool.csv [--hash sm3|sha256] [--json]`: freezes the pool (R53) and prints its
 * Merkle root in hex — the value to publish before any randomness exists — and nothing else (`--json`: the
 * whole commitment with per-stratum counts). Writes no file. Exit 0, 1 on a bad pool (naming the line), 2 usage.
 */
import { commitPool } from "../../../domain/lottery/Pool.js"
import { switchFlag, text } from "../Args.js"
import { defineCommand } from "../CliCommand.js"
import { cliDigests, hashFlag, readPool } from "./LotteryInput.js"

export const lotteryCommit = defineCommand({
  words: ["lottery", "commit"],
  description: "print the pool root to publish before the draw (R53)",
  examples: [
    {
      command: "anju lottery commit --pool contracts-tests/cases/samples/lottery-pool.csv",
      description: "the Merkle root (SM3) in hex, nothing else",
    },
  ],
  config: {
    pool: text("pool", "pool.csv", "the entrants: id,stratum[,…]"),
    hash: hashFlag,
    json: switchFlag("json", "print the whole commitment with per-stratum counts"),
  },
  run: async (input, io) => {
    const pool = await readPool(io, input.pool)
    if (pool === undefined) return 1
    const commitment = commitPool(pool, cliDigests[input.hash]!)
    io.out(input.json ? JSON.stringify(commitment, null, 2) : commitment.poolRoot)
    return 0
  },
})
