/**
 * How an `anju` command is declared and run on Effect's CLI module: `defineCommand` turns words, typed
 * flags/arguments, a description, examples and a plain `run(input, io) => exit code` into a command;
 * `runCommand` parses argv against a command tree and maps every outcome to an exit code:
 * 0 ok (also `--help`, `--version`, `--completions`), 1 what the command returns for a failed check,
 * 2 bad input (unknown option, bad value, missing file, a `UsageError`: one line, no stack trace) or a
 * data folder held by a running host (`StorageInUse`: one line naming the folder, the pid and the URL);
 * only real defects escape as exceptions (bin.ts: exit 70).
 */
import { Cause, Console, Effect, Exit, FileSystem, Layer, Path, Stdio, Terminal } from "effect"
import { CliConfig, CliError, CliOutput, Command as EffectCommand, GlobalFlag } from "effect/cli"
import { ChildProcessSpawner } from "effect/process"
import { StorageInUse, UsageError } from "./Args.js"
import { type CliIo, type Command, Invocation } from "./Io.js"

export const VERSION = "0.1.0"

const formatter = CliOutput.defaultFormatter({ colors: false })

/** Node's system errors on reading or writing a file given on the command line (bad input, exit 2). */
const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "is a directory",
  ENOTDIR: "a path component is not a directory",
  EEXIST: "already exists",
}

const fileError = (e: unknown): string | undefined => {
  if (typeof e !== "object" || e === null) return undefined
  const { code, path } = e as { code?: unknown; path?: unknown }
  if (typeof code !== "string" || FILE_ERRORS[code] === undefined) return undefined
  return `${typeof path === "string" ? `${path}: ` : ""}${FILE_ERRORS[code]}`
}

/** Runs a command body; usage and file errors become one line on stderr and exit 2. */
const guarded = async (words: ReadonlyArray<string>, body: () => Promise<number>, io: CliIo) => {
  try {
    return await body()
  } catch (e) {
    const name = `anju ${words.join(" ")}`
    if (e instanceof UsageError || e instanceof StorageInUse) {
      io.err(`${name}: ${e.message}`)
      return 2
    }
    const file = fileError(e)
    if (file !== undefined) {
      io.err(`${name}: ${file}`)
      return 2
    }
    throw e
  }
}

export interface CommandSpec<Config extends EffectCommand.Command.Config> {
  /** The words after `anju`, e.g. `["lottery", "draw"]`. */
  readonly words: readonly [string, ...Array<string>]
  /** One line: what the command does (listed under its group and at the top of its help). */
  readonly description: string
  /** At least one: shown under EXAMPLES in `--help`. */
  readonly examples: readonly [EffectCommand.Command.Example, ...Array<EffectCommand.Command.Example>]
  /** Typed flags and arguments (`effect/cli` Flag / Argument, or the helpers in Args.ts). */
  readonly config: Config
  /** The command itself: returns the exit code; may throw UsageError (exit 2). */
  readonly run: (input: EffectCommand.Command.Config.Infer<Config>, io: CliIo) => Promise<number>
}

/** Declares a command: one file per command, one registration line in Main.ts's COMMANDS. */
export const defineCommand = <const Config extends EffectCommand.Command.Config>(
  spec: CommandSpec<Config>,
): Command => {
  const cli = EffectCommand.make(spec.words[spec.words.length - 1]!, spec.config, (input) =>
    Effect.gen(function* () {
      const { io, exit } = yield* Invocation
      exit(yield* Effect.promise(() => guarded(spec.words, () => spec.run(input, io), io)))
    }),
  ).pipe(
    EffectCommand.withDescription(spec.description),
    EffectCommand.withExamples(spec.examples),
  ) as unknown as Command["cli"]
  const command: Command = {
    words: spec.words,
    description: spec.description,
    examples: spec.examples,
    cli,
    run: (argv, io) => runCommand(cli, argv, io, ["anju", ...spec.words.slice(0, -1)]),
  }
  return command
}

/** The services Effect's CLI asks for; only Terminal's width is used (no prompts, no processes). */
const environment = Layer.mergeAll(
  FileSystem.layerNoop({}),
  Path.layer,
  Stdio.layerTest({}),
  Layer.succeed(
    Terminal.Terminal,
    Terminal.make({
      columns: Effect.sync(() => process.stdout.columns ?? 100),
      rows: Effect.sync(() => process.stdout.rows ?? 24),
      size: Effect.die("anju: no terminal size"),
      readInput: Effect.die("anju: no interactive input"),
      readLine: Effect.die("anju: no interactive input"),
      display: () => Effect.void,
    }),
  ),
  Layer.succeed(
    ChildProcessSpawner.ChildProcessSpawner,
    ChildProcessSpawner.make(() => Effect.die("anju: no child processes")),
  ),
  // --help/-h, --version/-v, --completions bash|zsh|fish (no interactive wizard, no log level).
  CliConfig.layer({ builtIns: [GlobalFlag.Help, GlobalFlag.Version, GlobalFlag.Completions] }),
)

const ioConsole = (io: CliIo): Console.Console => {
  const line = (args: ReadonlyArray<unknown>) => args.map(String).join(" ")
  return {
    ...globalThis.console,
    log: (...a) => io.out(line(a)),
    info: (...a) => io.out(line(a)),
    error: (...a) => io.err(line(a)),
    warn: (...a) => io.err(line(a)),
  } as Console.Console
}

/** One line naming the option or argument at fault (wording kept from the hand-written parser). */
const describeError = (e: CliError.NonShowHelpErrors): string => {
  switch (e._tag) {
    case "UnrecognizedOption":
      return `unknown option ${e.option}${e.suggestions.length > 0 ? ` (did you mean ${e.suggestions.join(" or ")}?)` : ""}`
    case "MissingOption":
      return `--${e.option} is required`
    default:
      return e.message
  }
}

/** Help on stdout; a bad invocation as one line per error plus where to look, on stderr. */
const presenter = (io: CliIo, prefix: ReadonlyArray<string>): CliOutput.Presenter => ({
  present: (event) =>
    Effect.sync(() => {
      switch (event._tag) {
        case "Help":
          io.out(formatter.formatHelpDoc(event.helpDoc))
          return
        case "Version":
          io.out(`anju ${VERSION} (node ${process.versions.node})`)
          return
        case "InvalidInvocation": {
          const name = [...prefix, ...event.commandPath].join(" ")
          io.err(
            [
              ...event.errors.map((e) => `${name}: ${describeError(e)}`),
              `usage: ${event.helpDoc.usage.trim()}`,
              `(see: ${name} --help)`,
            ].join("\n"),
          )
        }
      }
    }),
})

/**
 * Parses `argv` against `command` (a leaf or the whole tree) and runs it. `prefix` is what the words
 * in messages start with (`["anju"]` for the tree, which is itself named `anju`).
 */
export const runCommand = async (
  command: Command["cli"],
  argv: ReadonlyArray<string>,
  io: CliIo,
  prefix: ReadonlyArray<string> = [],
): Promise<number> => {
  let code = 0
  const program = EffectCommand.runWith(command, { version: VERSION })(argv).pipe(
    Effect.provideService(Invocation, {
      io,
      exit: (c) => {
        code = c
      },
    }),
    Effect.provide(Layer.merge(environment, CliOutput.layerPresenter(presenter(io, prefix)))),
    Effect.provideService(Console.Console, ioConsole(io)),
  )
  const exit = await Effect.runPromiseExit(program)
  if (Exit.isSuccess(exit)) return code
  const failure = Cause.findErrorOption(exit.cause)
  // Parse errors and a group word without its subcommand were presented already: bad usage.
  if (failure._tag === "Some" && CliError.isCliError(failure.value)) return 2
  throw Cause.squash(exit.cause)
}
