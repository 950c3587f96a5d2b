#!/usr/bin/env node
/**
 * Executable entry of the `anju` CLI (package.json "bin"; `npm run anju -- …` from a clone). Refuses to
 * run on Node older than 22, then hands over to `main`. Bad usage and unreadable input files are exit 2
 * with one line (CliCommand.ts); only an internal defect reaches the handler below: exit 70 with its stack.
 */
import { main } from "./Main.js"
import { nodeIo } from "./Io.js"

const major = Number(process.versions.node.split(".")[0])
if (major < 22) {
  process.stderr.write(
    `anju needs Node 22 or later (this is ${process.versions.node}); run it through npm so the pinned Node 24 is used.\n`,
  )
  process.exit(2)
}

main(process.argv.slice(2), nodeIo).then(
  (code) => {
    if (code !== -1) process.exitCode = code
  },
  (e: unknown) => {
    process.stderr.write(
      `anju: internal error (a defect, please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    )
    process.exitCode = 70
  },
)
