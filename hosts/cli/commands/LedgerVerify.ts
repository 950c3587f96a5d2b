/**
 * `anju ledger verify [--database-url URL | --data-dir DIR | --memory]`: recomputes the SM3 hash chain of
 * the stored fund journal (M109). Exit 0 when every entry verifies, 1 naming the first altered entry,
 * 2 on usage errors. Storage as for every host (StoreSelection), Ledger from FundStores.
 */
import { Exit, Layer, ManagedRuntime } from "effect"
import { verifyLedger } from "../../../application/fund/FundLedger.js"
import { ledgerLayer } from "../../FundStores.js"
import { describeStorage } from "../../StoreSelection.js"
import { storageFlags, storageOf, switchFlag } from "../Args.js"
import { defineCommand } from "../CliCommand.js"

export const ledgerVerify = defineCommand({
  words: ["ledger", "verify"],
  description: "recompute the SM3 hash chain of the stored fund journal (M109)",
  examples: [
    {
      command: "anju ledger verify",
      description: "exit 0 when every entry verifies, 1 naming the first altered one",
    },
  ],
  config: { json: switchFlag("json", "print JSON"), storage: storageFlags },
  run: async (input, io) => {
    const storage = storageOf(input.storage, io.env)
    const runtime = ManagedRuntime.make(ledgerLayer(storage).pipe(Layer.orDie))
    try {
      const exit = await runtime.runPromiseExit(verifyLedger())
      if (Exit.isFailure(exit)) {
        io.err(`ledger verify failed on ${describeStorage(storage)}: ${String(exit.cause)}`)
        return 1
      }
      const v = exit.value
      if (input.json) io.out(JSON.stringify(v, null, 2))
      else if (v.ok) io.out(`journal verified: ${v.entries} entries, head ${v.head}`)
      else io.out(`journal BROKEN after ${v.entries} good entries: ${v.firstBreak?.message ?? ""}`)
      return v.ok ? 0 : 1
    } finally {
      await runtime.dispose()
    }
  },
})
