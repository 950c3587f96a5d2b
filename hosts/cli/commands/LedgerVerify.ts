/**
 * `anju ledger verify [--database-url URL | --data-dir DIR | --memory]`: recomputes the SM3 hash chain of
 * the stored fund journal (M109). Exit 0 when every entry verifies, 1 naming the first altered entry,
 * 2 on usage errors. Storage as for every host (StoreSelection), Ledger from FundStores.
 */
import { Exit, Layer, ManagedRuntime } from "effect"
import { verifyLedger } from "../../../application/fund/FundLedger.js"
import { ledgerLayer } from "../../FundStores.js"
import { chooseStorage, describeStorage, STORAGE_FLAGS } from "../../StoreSelection.js"
import { parseArgs, UsageError } from "../Args.js"
import type { Command } from "../Io.js"
import { withUsage } from "./FundInput.js"

const USAGE = "ledger verify [--json] [--database-url URL | --data-dir DIR | --memory]"

export const ledgerVerify: Command = {
  words: ["ledger", "verify"],
  usage: USAGE,
  run: (argv, io) =>
    withUsage(io, USAGE, async () => {
      const args = parseArgs(argv, {
        values: [...STORAGE_FLAGS.values],
        switches: [...STORAGE_FLAGS.switches, "json"],
      })
      if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`)
      const storage = chooseStorage(args, io.env)
      const runtime = ManagedRuntime.make(ledgerLayer(storage).pipe(Layer.orDie))
      try {
        const exit = await runtime.runPromiseExit(verifyLedger())
        if (Exit.isFailure(exit)) {
          io.err(`ledger verify failed on ${describeStorage(storage)}: ${String(exit.cause)}`)
          return 1
        }
        const v = exit.value
        if (args.switches.has("json")) io.out(JSON.stringify(v, null, 2))
        else if (v.ok) io.out(`journal verified: ${v.entries} entries, head ${v.head}`)
        else io.out(`journal BROKEN after ${v.entries} good entries: ${v.firstBreak?.message ?? ""}`)
        return v.ok ? 0 : 1
      } finally {
        await runtime.dispose()
      }
    }),
}
