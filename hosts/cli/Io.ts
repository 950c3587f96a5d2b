/**
 * The CLI's view of the outside world, so commands can be run in-process by tests: output streams,
 * file reading, environment, and a progress bar that is drawn on stderr only when stderr is a terminal
 * (never in pipes, files or tests). `nodeIo` is the real one. Also the shape of a registered command.
 */
import { readFile, writeFile } from "node:fs/promises"
import { SingleBar } from "cli-progress"
import { Context } from "effect"
import type { Command as EffectCommand } from "effect/cli"

/** A progress bar over `total` steps; every method is a no-op when progress is not shown. */
export interface Progress {
  readonly tick: (steps?: number, stage?: string) => void
  readonly stop: () => void
}

export interface CliIo {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
  readonly readFile: (path: string) => Promise<Uint8Array>
  readonly writeFile: (path: string, data: Uint8Array | string) => Promise<void>
  readonly env: Readonly<Record<string, string | undefined>>
  /** Starts a progress bar (stderr, TTY only) for a long run of `total` steps. */
  readonly progress: (label: string, total: number) => Progress
}

export const noProgress: Progress = { tick: () => {}, stop: () => {} }

/** The bar on screen, if any: output lines clear it first so they never land behind it. */
let active: SingleBar | undefined

/** A cli-progress bar on stderr when stderr is a terminal, otherwise nothing at all. */
export const stderrProgress = (label: string, total: number): Progress => {
  if (process.stderr.isTTY !== true) return noProgress
  const bar = new SingleBar({
    stream: process.stderr,
    format: `${label} [{bar}] {value}/{total} {stage}`,
    hideCursor: true,
    clearOnComplete: true,
  })
  bar.start(total, 0, { stage: "" })
  active = bar
  let stopped = false
  return {
    tick: (steps = 1, stage = "") => {
      if (!stopped) bar.increment(steps, { stage })
    },
    stop: () => {
      if (stopped) return
      stopped = true
      if (active === bar) active = undefined
      bar.stop()
    },
  }
}

const line = (stream: NodeJS.WriteStream, t: string) => {
  // Clears the bar's line (it is redrawn on its next step) when both share the terminal.
  if (active !== undefined && stream.isTTY === true) process.stderr.write("\r\x1b[2K")
  stream.write(t.endsWith("\n") ? t : `${t}\n`)
}

export const nodeIo: CliIo = {
  out: (t) => line(process.stdout, t),
  err: (t) => line(process.stderr, t),
  readFile: async (p) => new Uint8Array(await readFile(p)),
  writeFile: (p, d) => writeFile(p, d),
  env: process.env,
  progress: stderrProgress,
}

/**
 * What a command's handler needs from the run that invoked it: the io, and where to put its exit code.
 * Provided by CliCommand's runner for every invocation.
 */
export class Invocation extends Context.Service<
  Invocation,
  { readonly io: CliIo; readonly exit: (code: number) => void }
>()("anju/cli/Invocation") {}

/**
 * A registered command: its words (`["stock", "import"]`), a one-line description, the Effect CLI leaf
 * (typed flags and arguments, help, examples) and `run`, which parses `argv` (the words already removed)
 * with that leaf and returns the exit code (tests and embedders call it directly).
 */
export interface Command {
  readonly words: ReadonlyArray<string>
  readonly description: string
  readonly examples: ReadonlyArray<EffectCommand.Command.Example>
  readonly cli: EffectCommand.Command<string, unknown, Record<never, never>, never, Invocation>
  readonly run: (argv: ReadonlyArray<string>, io: CliIo) => Promise<number>
}
