/**
 * DataDirLock: one writer per data folder, across processes (real child processes through tsx) and
 * within one process; a dead owner's lock is taken over; close and process exit release it.
 */
import { spawn, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { hostname, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it } from "vitest"
import { acquireDataDirLock, DataDirInUse, dataDirOwner, LOCK_FILE } from "./DataDirLock.js"

const LOCK_MODULE = fileURLToPath(new URL("./DataDirLock.ts", import.meta.url))

/** Runs `body` (ESM, with `lock` = the DataDirLock module) in a fresh Node process through tsx. */
const runChild = (body: string) =>
  new Promise<{ code: number | null; out: string; err: string; ms: number }>((resolve) => {
    const code = `const lock = await import(${JSON.stringify(LOCK_MODULE)});\n${body}`
    const t = performance.now()
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code])
    let out = ""
    let err = ""
    child.stdout.on("data", (d) => (out += d))
    child.stderr.on("data", (d) => (err += d))
    child.on("close", (c) => resolve({ code: c, out, err, ms: performance.now() - t }))
  })

const dirs: Array<string> = []
const freshDir = () => {
  const d = mkdtempSync(join(tmpdir(), "anju-lock-"))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const lockPath = (dir: string) => join(dir, LOCK_FILE)
const lockContent = (dir: string) => JSON.parse(readFileSync(lockPath(dir), "utf8"))

describe("DataDirLock", () => {
  it("a second process is refused at once with the folder, the owner's pid and its URL", async () => {
    const dir = freshDir()
    const lock = acquireDataDirLock(dir)
    lock.advertise("http://127.0.0.1:3000")
    try {
      const r = await runChild(`
        try { lock.acquireDataDirLock(${JSON.stringify(dir)}); console.log("ACQUIRED"); process.exit(0) }
        catch (e) { console.error(e.message); process.exit(e.name === "DataDirInUse" ? 3 : 4) }`)
      expect(r.out).not.toContain("ACQUIRED")
      expect(r.code).toBe(3)
      expect(r.err).toContain(
        `the data folder ${dir} is in use by the Anju host pid ${process.pid} at http://127.0.0.1:3000; stop it, or send the command to that host`,
      )
      // The owner's lock is untouched by the refused attempt.
      expect(lockContent(dir)).toMatchObject({ pid: process.pid, url: "http://127.0.0.1:3000" })
    } finally {
      lock.release()
    }
    expect(existsSync(lockPath(dir))).toBe(false)
  }, 60_000)

  it("a second open in the same process is refused too; after release it succeeds", () => {
    const dir = freshDir()
    const first = acquireDataDirLock(dir)
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirInUse)
    expect(() => acquireDataDirLock(dir)).toThrow(`in use by the Anju process pid ${process.pid}`)
    expect(dataDirOwner(dir)).toMatchObject({ pid: process.pid, hostname: hostname() })
    first.release()
    expect(dataDirOwner(dir)).toBeUndefined()
    const second = acquireDataDirLock(dir)
    expect(lockContent(dir).pid).toBe(process.pid)
    second.release()
  })

  it("a lock left by a dead process is taken over", () => {
    const dir = freshDir()
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
      encoding: "utf8",
    })
    const deadPid = Number(dead.stdout)
    expect(deadPid).toBeGreaterThan(0)
    writeFileSync(
      lockPath(dir),
      JSON.stringify({ pid: deadPid, hostname: hostname(), startedAt: "2024-01-01T00:00:00.000Z" }),
    )
    expect(dataDirOwner(dir)).toBeUndefined()
    const lock = acquireDataDirLock(dir)
    expect(lockContent(dir)).toMatchObject({ pid: process.pid, hostname: hostname() })
    lock.release()
  })

  it("a live owner on another host is never judged stale", () => {
    const dir = freshDir()
    writeFileSync(
      lockPath(dir),
      JSON.stringify({ pid: 1, hostname: `${hostname()}-elsewhere`, startedAt: "2024-01-01T00:00:00.000Z" }),
    )
    expect(() => acquireDataDirLock(dir)).toThrow(`on host ${hostname()}-elsewhere`)
  })

  it("a process that exits without closing leaves no lock behind", async () => {
    const dir = freshDir()
    const r = await runChild(`
      const l = lock.acquireDataDirLock(${JSON.stringify(dir)});
      console.log(JSON.stringify(lock.dataDirOwner(${JSON.stringify(dir)})));
      process.exit(0)`)
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out).pid).not.toBe(process.pid)
    expect(existsSync(lockPath(dir))).toBe(false)
    acquireDataDirLock(dir).release()
  }, 60_000)
})
