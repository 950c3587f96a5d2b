/**
 * Every ```sh block of README.md and docs/*.md runs as written: `npm run anju -- …` lines run the CLI from the sources
 * (`tsx hosts/cli/bin.ts`) and must exit as their comment says (`exit 1`, else 0); `curl` lines run
 * against a real `serve --demo --memory` host on a free port and must answer the status their comment
 * names (else 2xx) with every `"key":"value"` pair the comment shows; `xdg-open URL` lines must be
 * pages the host serves. Lines that start a server (`npm start`, `serve`) or reinstall are not run.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtemp, readdir, readFile, rm, symlink } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const ROOT = resolve(import.meta.dirname, "..")
const TSX = join(ROOT, "node_modules", ".bin", "tsx")
const BIN = join(ROOT, "hosts", "cli", "bin.ts")

// --- README parsing ---------------------------------------------------------------------------------

interface ReadmeLine {
  /** The command without its comment (may span several physical lines). */
  readonly command: string
  readonly comment: string
  readonly kind: "assign" | "anju" | "curl" | "open" | "skip"
}

/** Splits a line at its first `#` comment outside quotes; reports whether a quote is still open. */
const scan = (text: string) => {
  let single = false
  let double = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (ch === "\\" && !single) i++
    else if (ch === "'" && !double) single = !single
    else if (ch === '"' && !single) double = !double
    else if (ch === "#" && !single && !double && (i === 0 || /\s/u.test(text[i - 1]!)))
      return { code: text.slice(0, i).trimEnd(), comment: text.slice(i + 1).trim(), open: false }
  }
  return { code: text.trimEnd(), comment: "", open: single || double }
}

const ASSIGNMENT = /^[A-Za-z_]\w*=(?:'[^']*'|"[^"]*"|\$\([\s\S]*\)|[^\s'"]*)$/u

/** What a line is; `VAR=value command` is classified by its command (so a `serve` behind it is skipped). */
const kindOf = (command: string): ReadmeLine["kind"] => {
  if (ASSIGNMENT.test(command)) return "assign"
  const rest = command.replace(/^(?:[A-Za-z_]\w*=\S*\s+)+/u, "")
  if (rest !== command) return "skip"
  return /^npm run (?:-s |--silent )?anju -- /u.test(command) && !/^npm run anju -- serve\b/u.test(command)
    ? "anju"
    : /^curl /u.test(command)
      ? "curl"
      : /^xdg-open /u.test(command)
        ? "open"
        : "skip"
}

/** The README's shell blocks as logical lines; a comment-only line right after a command annotates it. */
const readmeBlocks = (markdown: string): ReadonlyArray<ReadonlyArray<ReadmeLine>> =>
  [...markdown.matchAll(/^```sh\n([\s\S]*?)^```/gmu)].map((m) => {
    const lines: Array<ReadmeLine> = []
    let pending = ""
    for (const physical of m[1]!.split("\n")) {
      const text = pending === "" ? physical : `${pending}\n${physical}`
      const s = scan(text)
      if (s.open || (s.comment === "" && s.code.endsWith("\\"))) {
        pending = text
        continue
      }
      pending = ""
      if (s.code === "") {
        const last = lines.at(-1)
        if (s.comment !== "" && last !== undefined && last.comment === "" && physical.startsWith("#"))
          lines[lines.length - 1] = { ...last, comment: s.comment }
        continue
      }
      lines.push({ command: s.code, comment: s.comment, kind: kindOf(s.code) })
    }
    return lines
  })

const expectedExit = (comment: string) => Number(/\bexit (\d+)/u.exec(comment)?.[1] ?? 0)
const expectedStatus = (comment: string) => /^(\d{3})\b/u.exec(comment)?.[1]
const jsonPairs = (comment: string) =>
  [...comment.matchAll(/"[\w.]+":(?:"[^"]*"|-?\d+|true|false)/gu)].map((p) => p[0])

// --- running a block --------------------------------------------------------------------------------

interface Outcome {
  readonly index: number
  readonly exit: number
  readonly output: string
}

const NPM_SHIM = `npm() {
  if [ "$1" = run ]; then
    shift; if [ "$1" = -s ] || [ "$1" = --silent ]; then shift; fi
    if [ "$1" = anju ] && [ "$2" = -- ]; then shift 2; "${TSX}" "${BIN}" "$@"; return; fi
  fi
  echo "README test: npm $* is not run" >&2; return 97
}`

/**
 * One bash script per block: the README reads as one shell session, so plain assignments of the blocks
 * before it (`S=…`) come first; then its own assignments as written, every command in a subshell with
 * markers around it.
 */
const script = (lines: ReadonlyArray<ReadmeLine>, port: number | undefined) => {
  const session = sessions.find((s) => s.includes(lines)) ?? [lines]
  const before = session.slice(0, session.indexOf(lines)).flat()
  const carried = before.filter((l) => l.kind === "assign" && !l.command.includes("$(")).map((l) => l.command)
  const out = [NPM_SHIM, ...carried]
  lines.forEach((l, index) => {
    const host = (c: string) => (port === undefined ? c : c.replaceAll("localhost:3000", `127.0.0.1:${port}`))
    const w = `-w '\\n@@http %{http_code}\\n'`
    if (l.kind === "assign") out.push(host(l.command))
    else if (l.kind === "anju" || l.kind === "curl" || l.kind === "open") {
      const command =
        l.kind === "curl"
          ? host(l.command).replace(/^curl /u, `curl ${w} `)
          : l.kind === "open"
            ? host(l.command).replace(/^xdg-open /u, `curl -s -o /dev/null ${w} `)
            : l.command
      out.push(`echo "@@begin ${index}"`, `( ${command}\n) 2>&1`, `echo "@@end ${index} $?"`)
    }
  })
  return out.join("\n")
}

/** Runs a block's script in its own process group, killed whole if it outlives `limitMs`. */
const runScript = (text: string, cwd: string, env: NodeJS.ProcessEnv, limitMs = 240_000) =>
  new Promise<ReadonlyArray<Outcome>>((resolvePromise, reject) => {
    const child = spawn("bash", ["-c", text], { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true })
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL")
      reject(new Error(`README block still running after ${limitMs} ms:\n${text}`))
    }, limitMs)
    let stdout = ""
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on("data", (d: Buffer) => {
      stdout += d.toString()
    })
    child.on("error", reject)
    child.on("close", () => {
      clearTimeout(timer)
      const outcomes = [...stdout.matchAll(/@@begin (\d+)\n([\s\S]*?)@@end \1 (\d+)/gu)].map((m) => ({
        index: Number(m[1]),
        output: m[2]!,
        exit: Number(m[3]),
      }))
      resolvePromise(outcomes)
    })
  })

const check = (lines: ReadonlyArray<ReadmeLine>, outcomes: ReadonlyArray<Outcome>) => {
  const run = lines.flatMap((l, index) =>
    l.kind === "anju" || l.kind === "curl" || l.kind === "open" ? [index] : [],
  )
  expect(outcomes.map((o) => o.index)).toEqual(run)
  for (const o of outcomes) {
    const line = lines[o.index]!
    const label = `${line.command}\n--- output:\n${o.output.slice(0, 2000)}`
    if (line.kind === "anju") {
      expect(o.exit, label).toBe(expectedExit(line.comment))
      continue
    }
    expect(o.exit, label).toBe(0)
    const status = /@@http (\d{3})/u.exec(o.output)?.[1]
    const want = expectedStatus(line.comment)
    if (want === undefined) expect(status, label).toMatch(/^2\d\d$/u)
    else expect(status, label).toBe(want)
    for (const pair of jsonPairs(line.comment)) expect(o.output, label).toContain(pair)
  }
}

// --- the test ---------------------------------------------------------------------------------------

const baseEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dirname(TSX)}:${process.env["PATH"] ?? ""}` }
  for (const name of ["DATABASE_URL", "ANJU_DATA_DIR", "ANJU_TOKENS", "ANJU_TOKENS_FILE", "NODE_OPTIONS"])
    delete env[name]
  return env
}

const DATABASE_URL = process.env["DATABASE_URL"] || undefined
const SCHEMA_PREFIX = `readme_${process.pid}_`
const schemas: Array<string> = []
let work = ""
type Block = ReadonlyArray<ReadmeLine>
/** README.md, then each docs/*.md: one shell session per file. */
let sessions: ReadonlyArray<ReadonlyArray<Block>> = []
let blocks: ReadonlyArray<Block> = []
let server: ChildProcess | undefined
let port: Promise<number>

/** `anju serve --demo --memory` on a free port; resolves with the port once the banner is printed. */
const startHost = () =>
  new Promise<number>((resolvePromise, reject) => {
    const child = spawn(TSX, [BIN, "serve", "--demo", "--memory", "--port", "0", "--host", "127.0.0.1"], {
      cwd: ROOT,
      env: baseEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    })
    server = child
    let log = ""
    const collect = (d: Buffer) => {
      log += d.toString()
      const m = /Anju is serving http:\/\/[^\s:]+:(\d+)/u.exec(log)
      if (m !== null) resolvePromise(Number(m[1]))
    }
    child.stdout.on("data", collect)
    child.stderr.on("data", collect)
    child.on("error", reject)
    child.on("exit", (code) => reject(new Error(`anju serve exited (${code}) before listening:\n${log}`)))
  })

beforeAll(async () => {
  const docs = (await readdir(join(ROOT, "docs"))).filter((f) => f.endsWith(".md")).sort()
  const files = ["README.md", ...docs.map((f) => join("docs", f))]
  sessions = await Promise.all(files.map(async (f) => readmeBlocks(await readFile(join(ROOT, f), "utf8"))))
  blocks = sessions[0]!
  work = await mkdtemp(join(tmpdir(), "anju-readme-"))
  // Commands run in a scratch folder (lottery output, data folders) that sees the shipped samples.
  await symlink(join(ROOT, "contracts-tests"), join(work, "contracts-tests"))
  // One retry: PGlite's WebAssembly start has been seen to abort V8 ("jit_page") under heavy load.
  port = startHost().catch(() => startHost())
  port.catch(() => undefined)
})

afterAll(async () => {
  if (server?.pid !== undefined && server.exitCode === null) {
    const exited = new Promise((r) => server!.once("exit", r))
    server.kill("SIGTERM")
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))])
    if (server.exitCode === null) server.kill("SIGKILL")
  }
  if (work !== "") await rm(work, { recursive: true, force: true })
  if (DATABASE_URL !== undefined && schemas.length > 0) {
    const client = new pg.Client({ connectionString: DATABASE_URL })
    await client.connect()
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await client.end()
  }
})

describe("README.md", () => {
  it("parses its shell blocks into commands with their expectations", () => {
    const all = blocks.flat()
    expect(all.filter((l) => l.kind === "anju").length).toBeGreaterThanOrEqual(15)
    expect(all.filter((l) => l.kind === "curl").length).toBeGreaterThanOrEqual(8)
    // the multi-line JSON body of the case creation is one command, annotated with its status
    const create = all.find((l) => l.command.includes('"id":"TOUR-1"'))
    expect(create?.command).toContain('"members"')
    expect(expectedStatus(create?.comment ?? "")).toBe("201")
    expect(all.some((l) => expectedExit(l.comment) === 1)).toBe(true)
    expect(all.some((l) => /\bopen\s/u.test(l.command) && l.kind !== "open")).toBe(false)
    // a server started behind an environment assignment is not run
    expect(all.find((l) => l.command.startsWith("DATABASE_URL="))?.kind).toBe("skip")
  })

  it("runs every CLI command (README and docs/) with the exit code its comment states, and the tour against a demo host", async () => {
    const serverBlocks = sessions.flat().filter((b) => b.some((l) => l.kind === "curl" || l.kind === "open"))
    const cliBlocks = sessions
      .flat()
      .filter((b) => !serverBlocks.includes(b) && b.some((l) => l.kind === "anju"))
    // Each CLI block gets its own store, two blocks at a time: a PostgreSQL schema when DATABASE_URL is
    // set (as in CI: much faster than creating a PGlite folder per command), else a PGlite folder.
    const runCli = async (lines: ReadonlyArray<ReadmeLine>, i: number) => {
      const env: NodeJS.ProcessEnv = { ...baseEnv(), ANJU_DATA_DIR: join(work, `data-${i}`) }
      if (DATABASE_URL !== undefined) {
        env["DATABASE_URL"] = DATABASE_URL
        env["ANJU_DB_SCHEMA"] = `${SCHEMA_PREFIX}${i}`
        schemas.push(`${SCHEMA_PREFIX}${i}`)
      }
      check(lines, await runScript(script(lines, undefined), work, env))
    }
    const queue = cliBlocks.map((b, i) => () => runCli(b, i))
    const worker = async () => {
      for (let job = queue.shift(); job !== undefined; job = queue.shift()) await job()
    }
    const p = await port
    await Promise.all([
      worker(),
      worker(),
      (async () => {
        for (const b of serverBlocks) check(b, await runScript(script(b, p), work, baseEnv()))
      })(),
    ])
  }, 300_000)
})
