/**
 * `anju lottery commit --pool pool.csv [--hash sm3|sha256] [--json]`: freezes the pool (R53) and prints its
 * Merkle root in hex — the value to publish before any randomness exists — and nothing else (`--json`: the
 * whole commitment with per-stratum counts). Writes no file. Exit 0, 1 on a bad pool (naming the line), 2 usage.
 */
import { commitPool } from "../../../domain/lottery/Pool.js"
import { parseArgs, required } from "../Args.js"
import type { Command } from "../Io.js"
import { cliDigests, hashFlag, readPool } from "./LotteryInput.js"

export const lotteryCommit: Command = {
  words: ["lottery", "commit"],
  usage:
    "lottery commit --pool pool.csv [--hash sm3|sha256] [--json]   print the pool root to publish before the draw",
  run: async (argv, io) => {
    const args = parseArgs(argv, { values: ["pool", "hash"], switches: ["json"] })
    const hash = hashFlag(args.values.get("hash"))
    const pool = await readPool(io, required(args, "pool"))
    if (pool === undefined) return 1
    const commitment = commitPool(pool, cliDigests[hash]!)
    io.out(args.switches.has("json") ? JSON.stringify(commitment, null, 2) : commitment.poolRoot)
    return 0
  },
}
