/**
 * `anju lottery annul --draw <id> --reason <text> [--database-url URL | --data-dir DIR]`: records the
 * annulment (作废, R53) of a draw made with `lottery draw --record`, re-opening its pool for one new draw.
 * The reason needs at least 4 characters; an annulment is final. Exit 0, 1 when refused, 2 on usage errors.
 */
import { annulDraw } from "../../../application/lottery/AnnulDraw.js"
import { lotteryStoreLayer } from "../../LotteryStores.js"
import { chooseStorage, describeStorage, STORAGE_FLAGS } from "../../StoreSelection.js"
import { parseArgs, required, UsageError } from "../Args.js"
import type { Command } from "../Io.js"
import { runWith } from "./LotteryFailures.js"

export const lotteryAnnul: Command = {
  words: ["lottery", "annul"],
  usage:
    "lottery annul --draw <id> --reason <text> [--database-url URL | --data-dir DIR]   annul a recorded draw",
  run: async (argv, io) => {
    const args = parseArgs(argv, {
      values: [...STORAGE_FLAGS.values, "draw", "reason"],
      switches: [...STORAGE_FLAGS.switches],
    })
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`)
    const storage = chooseStorage(args, io.env)
    const annulled = await runWith(
      io,
      annulDraw({ drawId: required(args, "draw"), reason: required(args, "reason") }),
      lotteryStoreLayer(storage),
    )
    if (annulled === undefined) return 1
    io.out(
      `annulled ${annulled.drawId} (pool ${annulled.poolRoot}) on ${describeStorage(storage)}: ${annulled.annulment?.reason ?? ""}`,
    )
    return 0
  },
}
