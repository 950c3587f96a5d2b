/**
 * The CLI's view of the outside world, so commands can be run in-process by tests: output streams,
 * file reading, environment. `nodeIo` is the real one.
 */
import { readFile, writeFile } from "node:fs/promises"

export interface CliIo {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
  readonly readFile: (path: string) => Promise<Uint8Array>
  readonly writeFile: (path: string, data: Uint8Array | string) => Promise<void>
  readonly env: Readonly<Record<string, string | undefined>>
}

export const nodeIo: CliIo = {
  out: (t) => process.stdout.write(t.endsWith("\n") ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith("\n") ? t : `${t}\n`),
  readFile: async (p) => new Uint8Array(await readFile(p)),
  writeFile: (p, d) => writeFile(p, d),
  env: process.env,
}

/** A command: its words (`["stock", "import"]`), a one-line usage, and `run` returning the exit code. */
export interface Command {
  readonly words: ReadonlyArray<string>
  readonly usage: string
  readonly run: (argv: ReadonlyArray<string>, io: CliIo) => Promise<number>
}
