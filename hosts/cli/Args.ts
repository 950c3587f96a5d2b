/**
 * Command-line argument parsing for the `anju` CLI: positionals, `--flag value`, `--flag=value`, and
 * boolean switches declared per command. Unknown flags and missing values are typed usage errors
 * (exit code 2), never silently ignored.
 */
export class UsageError extends Error {
  override readonly name = "UsageError"
}

export interface FlagSpec {
  /** Flags that take a value. */
  readonly values?: ReadonlyArray<string>
  /** Flags that take no value. */
  readonly switches?: ReadonlyArray<string>
}

export interface ParsedArgs {
  readonly positionals: ReadonlyArray<string>
  readonly values: ReadonlyMap<string, string>
  readonly switches: ReadonlySet<string>
}

export const parseArgs = (argv: ReadonlyArray<string>, spec: FlagSpec): ParsedArgs => {
  const positionals: Array<string> = []
  const values = new Map<string, string>()
  const switches = new Set<string>()
  const valueFlags = new Set(spec.values ?? [])
  const switchFlags = new Set(spec.switches ?? [])
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === "--") {
      positionals.push(...argv.slice(i + 1))
      break
    }
    if (!a.startsWith("--") || a === "-") {
      positionals.push(a)
      continue
    }
    const eq = a.indexOf("=")
    const name = a.slice(2, eq === -1 ? undefined : eq)
    if (valueFlags.has(name)) {
      const v = eq === -1 ? argv[++i] : a.slice(eq + 1)
      if (v === undefined) throw new UsageError(`--${name} needs a value`)
      values.set(name, v)
    } else if (switchFlags.has(name)) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`)
      switches.add(name)
    } else throw new UsageError(`unknown option --${name}`)
  }
  return { positionals, values, switches }
}

export const required = (args: ParsedArgs, name: string): string => {
  const v = args.values.get(name)
  if (v === undefined) throw new UsageError(`--${name} is required`)
  return v
}
