/**
 * One writer per PGlite data folder: the process that opens a folder holds `anju.lock` in it, created
 * atomically (`wx`, O_CREAT|O_EXCL) with its pid, hostname, start time and, for an HTTP host, its URL.
 * Anyone else is refused at once (`DataDirInUse`). A lock whose pid is no longer alive on this host is
 * stale and taken over (rename-aside, then exclusive re-create, so two takers cannot both win). The lock
 * is released on close and, as a last resort, on process exit; a crash leaves a stale lock, which the
 * next opener takes over. Limits: a lock written on another host is never judged stale (refused).
 */
import { linkSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs"
import { hostname as osHostname } from "node:os"
import { join, resolve } from "node:path"

export const LOCK_FILE = "anju.lock"

/** What the lock file holds (JSON). */
export interface DataDirOwner {
  readonly pid: number
  readonly hostname: string
  /** ISO instant the owner took the lock. */
  readonly startedAt: string
  /** Where the owning HTTP host answers, when it is one. */
  readonly url?: string
}

/** The folder is held by a live process (or by one on another host). */
export class DataDirInUse extends Error {
  override readonly name = "DataDirInUse"
  constructor(
    readonly dataDir: string,
    readonly owner: DataDirOwner,
  ) {
    super(describeOwner(dataDir, owner))
  }
}

/** "the data folder .anju-data is in use by the Anju host pid 1234 at http://…; stop it, or send the command to that host" */
export const describeOwner = (dataDir: string, o: DataDirOwner): string => {
  const where = o.hostname === osHostname() ? "" : ` on host ${o.hostname}`
  return o.url === undefined
    ? `the data folder ${dataDir} is in use by the Anju process pid ${o.pid}${where} (since ${o.startedAt}); stop it, or wait until it ends`
    : `the data folder ${dataDir} is in use by the Anju host pid ${o.pid}${where} at ${o.url}; stop it, or send the command to that host`
}

export interface DataDirLock {
  readonly dataDir: string
  readonly path: string
  /** Records the URL of the HTTP host holding the folder (shown to refused openers). */
  readonly advertise: (url: string) => void
  /** Removes the lock if it is still ours; idempotent. */
  readonly release: () => void
}

/** Locks held by this process, by lock path (a second open in the same process is refused too). */
const held = new Map<string, DataDirLock>()
let exitHookInstalled = false

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM"
  }
}

const readOwner = (path: string): DataDirOwner | undefined => {
  try {
    const v = JSON.parse(readFileSync(path, "utf8")) as Partial<DataDirOwner>
    if (typeof v.pid !== "number" || typeof v.hostname !== "string") return undefined
    return {
      pid: v.pid,
      hostname: v.hostname,
      startedAt: typeof v.startedAt === "string" ? v.startedAt : "?",
      ...(typeof v.url === "string" ? { url: v.url } : {}),
    }
  } catch {
    return undefined
  }
}

/**
 * Whether a lock can be taken over: its pid is dead on this host, or it is our own pid but not a lock
 * this process holds (a previous incarnation with a recycled pid, typical of pid 1 in containers).
 * An unreadable file is stale when older than a few seconds (a crash between create and write); a
 * younger one is being written by its owner right now.
 */
const isStale = (path: string, owner: DataDirOwner | undefined): boolean => {
  if (owner === undefined) {
    try {
      return Date.now() - statSync(path).mtimeMs > 5000
    } catch {
      return true
    }
  }
  if (owner.hostname !== osHostname()) return false
  if (owner.pid === process.pid) return !held.has(path)
  return !isAlive(owner.pid)
}

const sameOwner = (a: DataDirOwner | undefined, b: DataDirOwner | undefined) =>
  a !== undefined && b !== undefined && a.pid === b.pid && a.startedAt === b.startedAt

/** Moves a stale lock aside; false when it changed meanwhile (someone else took it over first). */
const takeOver = (path: string, judged: DataDirOwner | undefined): boolean => {
  const aside = `${path}.stale-${process.pid}-${Date.now()}`
  try {
    renameSync(path, aside)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return true
    throw e
  }
  const moved = readOwner(aside)
  if (judged === undefined ? moved === undefined : sameOwner(moved, judged)) {
    unlinkSync(aside)
    return true
  }
  // We moved a fresh lock of a faster taker: put it back (link fails if a third one exists; theirs wins).
  try {
    linkSync(aside, path)
  } catch {
    // leave it: its owner still finds its pid in the file it wrote, if anywhere
  }
  unlinkSync(aside)
  return false
}

/**
 * Takes the folder's lock (creating the folder if needed) or throws DataDirInUse naming the owner.
 * Never waits: a held lock is refused at once.
 */
export const acquireDataDirLock = (dataDir: string, options: { readonly url?: string } = {}): DataDirLock => {
  const dir = resolve(dataDir)
  mkdirSync(dir, { recursive: true })
  const path = join(dir, LOCK_FILE)
  let mine: DataDirOwner = {
    pid: process.pid,
    hostname: osHostname(),
    startedAt: new Date().toISOString(),
    ...(options.url === undefined ? {} : { url: options.url }),
  }
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, JSON.stringify(mine), { flag: "wx", mode: 0o644 })
      break
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e
    }
    const owner = readOwner(path)
    if (attempt >= 3 || !isStale(path, owner))
      throw new DataDirInUse(
        dataDir,
        owner ?? { pid: -1, hostname: osHostname(), startedAt: "?" /* being written right now */ },
      )
    takeOver(path, owner)
  }
  let released = false
  const lock: DataDirLock = {
    dataDir,
    path,
    advertise: (url) => {
      if (released) return
      mine = { ...mine, url }
      const tmp = `${path}.${process.pid}.tmp`
      writeFileSync(tmp, JSON.stringify(mine))
      renameSync(tmp, path)
    },
    release: () => {
      if (released) return
      released = true
      held.delete(path)
      if (sameOwner(readOwner(path), mine)) {
        try {
          unlinkSync(path)
        } catch {
          // already gone
        }
      }
    },
  }
  held.set(path, lock)
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.on("exit", () => {
      for (const l of [...held.values()]) l.release()
    })
  }
  return lock
}

/** The lock this process holds on `dataDir`, if any (to advertise the host URL after listening). */
export const heldDataDirLock = (dataDir: string): DataDirLock | undefined =>
  held.get(join(resolve(dataDir), LOCK_FILE))

/** Who holds `dataDir` now, if anyone alive does (for clients that would rather talk to the host). */
export const dataDirOwner = (dataDir: string): DataDirOwner | undefined => {
  const path = join(resolve(dataDir), LOCK_FILE)
  const owner = readOwner(path)
  return owner === undefined || isStale(path, owner) ? undefined : owner
}
