/**
 * `anju lottery annul --draw <id> --reason <text> [--database-url URL | --data-dir DIR]`: records the
 * annulment (作废, R53) of a draw made with `lottery draw --record`, re-opening its pool for one new draw.
 * The reason needs at least 4 characters; an annulment is final. Exit 0, 1 when refused, 2 on usage errors.
 */
import { annulDraw } from "../../../application/lottery/AnnulDraw.js"
import { lotteryStoreLayer } from "../../LotteryStores.js"
import { describeStorage } from "../../StoreSelection.js"
import { storageFlags, storageOf, text } from "../Args.js"
import { defineCommand } from "../CliCommand.js"
import { runWith } from "./LotteryFailures.js"

export const lotteryAnnul = defineCommand({
  words: ["lottery", "annul"],
  description: "annul a draw recorded with `lottery draw --record` (作废, R53), re-opening its pool",
  examples: [
    {
      command: 'anju lottery annul --draw LD-… --reason "公证员未到场，依规作废"',
      description: "final; the reason is kept",
    },
  ],
  config: {
    draw: text("draw", "id", "the recorded draw's id"),
    reason: text("reason", "text", "why (at least 4 characters)"),
    storage: storageFlags,
  },
  run: async (input, io) => {
    const storage = storageOf(input.storage, io.env)
    const annulled = await runWith(
      io,
      annulDraw({ drawId: input.draw, reason: input.reason }),
      lotteryStoreLayer(storage),
    )
    if (annulled === undefined) return 1
    io.out(
      `annulled ${annulled.drawId} (pool ${annulled.poolRoot}) on ${describeStorage(storage)}: ${annulled.annulment?.reason ?? ""}`,
    )
    return 0
  },
})
