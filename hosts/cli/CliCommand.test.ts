/**
 * The `anju` command layer on effect/cli: every path of the command tree (enumerated from the tree, not
 * listed by hand) answers `--help` with exit 0, a usage and an example; group words list their
 * subcommands; a missing input file is exit 2 with one line and no stack trace; unknown options and bad
 * values name the option; completions are generated; only a defect escapes (bin.ts: exit 70).
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { text } from "./Args.js"
import { defineCommand, runCommand } from "./CliCommand.js"
import { idCheck } from "./commands/IdCheck.js"
import { type CliIo, nodeIo, noProgress, stderrProgress } from "./Io.js"
import { COMMANDS, commandPaths, commandTree, GROUPS, main } from "./Main.js"

const capture = () => {
  const o = { out: "", err: "" }
  const io: CliIo = {
    ...nodeIo,
    out: (t) => {
      o.out += `${t}\n`
    },
    err: (t) => {
      o.err += `${t}\n`
    },
    env: {},
  }
  return { o, io }
}

const run = async (argv: ReadonlyArray<string>) => {
  const { o, io } = capture()
  const code = await main(argv, io)
  return { code, ...o }
}

const samples = join(import.meta.dirname, "..", "..", "contracts-tests", "cases", "samples")
const PATHS = commandPaths()
const LEAVES = new Set(COMMANDS.map((c) => c.words.join(" ")))
const GROUP_PATHS = PATHS.filter((p) => p.length > 0 && !LEAVES.has(p.join(" ")))

let dir = ""
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "anju-cli-help-"))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe("anju … --help over the whole command tree", () => {
  it("the tree has the root, every registered command and its groups", () => {
    expect(PATHS[0]).toEqual([])
    for (const c of COMMANDS) expect(PATHS).toContainEqual(c.words)
    expect(GROUP_PATHS.map((p) => p.join(" "))).toEqual(
      expect.arrayContaining(["lottery", "fund", "selection"]),
    )
    expect(PATHS.length).toBe(1 + COMMANDS.length + GROUP_PATHS.length)
  })

  it.each(PATHS.map((p) => [p.join(" ") || "(root)", p] as const))(
    "anju %s --help exits 0 with a usage and an example",
    async (_, path) => {
      const r = await run([...path, "--help"])
      expect(r.code).toBe(0)
      expect(r.err).toBe("")
      expect(r.out).toContain("USAGE")
      expect(r.out).toContain(`anju ${path.join(" ")}`.trimEnd())
      expect(r.out).toMatch(/EXAMPLES\n(?:.*\n)*\s+anju \S/u)
    },
  )

  it("-h and `anju help <words>` are --help", async () => {
    const long = await run(["lottery", "draw", "--help"])
    expect(await run(["lottery", "draw", "-h"])).toEqual(long)
    expect(await run(["help", "lottery", "draw"])).toEqual(long)
    expect(long.out).toContain("--seed")
    expect(long.out).toContain("--record")
  })

  it("anju --help lists every group and top-level command with its description", async () => {
    const r = await run(["--help"])
    for (const word of new Set(COMMANDS.map((c) => c.words[0]!)))
      expect(r.out).toMatch(new RegExp(`^  ${word} `, "mu"))
    for (const [word, line] of Object.entries(GROUPS))
      if (PATHS.some((p) => p[0] === word)) expect(r.out).toContain(line)
  })

  it.each(GROUP_PATHS.map((p) => [p.join(" "), p] as const))(
    "the group word `anju %s` lists its subcommands",
    async (_, path) => {
      const r = await run(path)
      const children = PATHS.filter((p) => p.length === path.length + 1 && path.every((w, i) => p[i] === w))
      expect(children.length).toBeGreaterThan(0)
      for (const c of children) expect(r.out).toMatch(new RegExp(`^  ${c.at(-1)} `, "mu"))
      expect(r.code).toBe(2) // a word without its subcommand is incomplete, like a bare `anju`
    },
  )

  it("anju --version keeps its format", async () => {
    const r = await run(["--version"])
    expect(r).toMatchObject({ code: 0, err: "" })
    expect(r.out).toMatch(/^anju \d+\.\d+\.\d+ \(node \d+\.\d+\.\d+\)\n$/u)
  })
})

describe("bad input: exit 2, one line naming what is wrong", () => {
  it.each([
    ["stock import", (f: string) => ["stock", "import", f, "--memory"]],
    ["lottery commit", (f: string) => ["lottery", "commit", "--pool", f]],
    ["lottery verify", (f: string) => ["lottery", "verify", "--pool", f, "--transcript", f]],
    [
      "queue rank",
      (f: string) => ["queue", "rank", "--plan", "builtin:gongzu", "--applicants", f, "--on", "2025-06-30"],
    ],
    ["fund apportion", (f: string) => ["fund", "apportion", "--amount", "1", "--units", f, "--by", "area"]],
    [
      "eligibility evaluate",
      (f: string) => ["eligibility", "evaluate", "--kind", "lianzu", "--household", f, "--on", "2026-06-01"],
    ],
  ])("a missing input file to %s: exit 2, one line with the path, no stack trace", async (_, argv) => {
    const absent = join(dir, "absent.csv")
    const r = await run(argv(absent))
    expect(r.code).toBe(2)
    expect(r.out).toBe("")
    expect(r.err.trimEnd().split("\n")).toHaveLength(1)
    expect(r.err).toContain(absent)
    expect(r.err).not.toMatch(/\n\s+at |Error:/u)
  })

  it("an unknown option is named, with or without a value, and nothing runs", async () => {
    for (const bogus of ["--bogus", "--bogus=1"]) {
      const r = await run(["lottery", "commit", "--pool", join(samples, "lottery-pool.csv"), bogus])
      expect(r.code).toBe(2)
      expect(r.out).toBe("")
      expect(r.err).toMatch(/^anju lottery commit: unknown option --bogus$/mu)
    }
    const top = await run(["--bogus"])
    expect(top.code).toBe(2)
    expect(top.err).toContain("--bogus")
  })

  it("a value outside a typed option's choices, a non-integer and a missing option name the option", async () => {
    const hash = await run([
      "lottery",
      "commit",
      "--pool",
      join(samples, "lottery-pool.csv"),
      "--hash",
      "md5",
    ])
    expect(hash.code).toBe(2)
    expect(hash.err).toMatch(/--hash.*md5/u)
    const port = await run(["serve", "--port", "eighty"])
    expect(port.code).toBe(2)
    expect(port.err).toContain("--port")
    const missing = await run(["lottery", "draw", "--pool", join(samples, "lottery-pool.csv"), "--out", dir])
    expect(missing.code).toBe(2)
    expect(missing.err).toContain("--seed is required")
  })

  it("an unknown command names it", async () => {
    const r = await run(["lotery", "draw"])
    expect(r.code).toBe(2)
    expect(r.err).toContain('"lotery"')
  })
})

describe("shell completion", () => {
  it.each(["bash", "zsh", "fish"])(
    "anju --completions %s prints a script with the commands",
    async (shell) => {
      const r = await run(["--completions", shell])
      expect(r.code).toBe(0)
      expect(r.out).toContain("anju")
      for (const word of ["lottery", "check-proof", "selection", "stock"]) expect(r.out).toContain(word)
    },
  )
})

describe("adding a command", () => {
  it("is one defineCommand and one list entry; exit codes pass through and defects escape", async () => {
    const hello = defineCommand({
      words: ["users", "greet"],
      description: "greet a user",
      examples: [{ command: "anju users greet --name 李雷" }],
      config: { name: text("name", "NAME", "who") },
      run: async ({ name }, io) => {
        if (name === "boom") throw new Error("a defect")
        io.out(`你好 ${name}`)
        return name === "nobody" ? 1 : 0
      },
    })
    const tree = commandTree([...COMMANDS, hello])
    const { o, io } = capture()
    expect(await runCommand(tree, ["users", "greet", "--name", "李雷"], io)).toBe(0)
    expect(o.out).toBe("你好 李雷\n")
    expect(await runCommand(tree, ["users", "greet", "--name", "nobody"], io)).toBe(1)
    expect(await runCommand(tree, ["users", "--help"], io)).toBe(0)
    expect(o.out).toContain("greet a user")
    await expect(runCommand(tree, ["users", "greet", "--name", "boom"], io)).rejects.toThrow("a defect")
  })

  it("a command registered twice is refused when the tree is built", () => {
    expect(() => commandTree([idCheck, idCheck])).toThrow(/registered twice/u)
  })
})

describe("progress", () => {
  it("is drawn only when stderr is a terminal: never in tests, pipes or files", () => {
    expect(process.stderr.isTTY === true).toBe(false)
    expect(stderrProgress("stock import", 3)).toBe(noProgress)
  })
})
