/**
 * Graceful shutdown over a real socket: close() stops accepting at once, lets the in-flight request
 * finish with its full response, then resolves; SIGTERM runs close once and a second signal forces an
 * exit. Signals are emitted on `process` (no real signal is sent) and an injected `exit` records codes.
 */
import { Hono } from "hono"
import { afterEach, describe, expect, it } from "vitest"
import { onShutdownSignals, type ShutdownHandle, startServer } from "./Server.js"

const deferred = () => {
  let resolve: () => void = () => {}
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

describe("startServer", () => {
  it("serves, then drains in-flight requests on close and refuses new connections", async () => {
    const entered = deferred()
    const release = deferred()
    const app = new Hono()
    app.get("/fast", (c) => c.text("fast"))
    app.get("/slow", async (c) => {
      entered.resolve()
      await release.promise
      return c.text("slow done")
    })
    const server = await startServer({ app, port: 0, hostname: "127.0.0.1" })
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/u)
    expect(await (await fetch(`${server.url}/fast`)).text()).toBe("fast")

    const inFlight = fetch(`${server.url}/slow`)
    await entered.promise
    let closed = false
    const closing = server.close().then(() => {
      closed = true
    })
    expect(server.close()).toBe(server.close())
    await expect(fetch(`${server.url}/fast`, { headers: { connection: "close" } })).rejects.toThrow()
    expect(closed).toBe(false)

    release.resolve()
    const res = await inFlight
    expect(res.status).toBe(200)
    expect(await res.text()).toBe("slow done")
    // The client keeps its socket alive; close() must not wait for the keep-alive timeout (5 s).
    const drained = Date.now()
    await closing
    expect(closed).toBe(true)
    expect(Date.now() - drained).toBeLessThan(1000)
  })

  it("rejects when the port is taken", async () => {
    const first = await startServer({ app: new Hono(), port: 0, hostname: "127.0.0.1" })
    const port = Number(new URL(first.url).port)
    await expect(startServer({ app: new Hono(), port, hostname: "127.0.0.1" })).rejects.toThrow(/EADDRINUSE/u)
    await first.close()
  })
})

describe("onShutdownSignals", () => {
  let handle: ShutdownHandle | undefined
  afterEach(() => handle?.dispose())

  it("closes once on SIGTERM, forces exit on a second signal, and removes its listeners afterwards", async () => {
    const before = process.listenerCount("SIGTERM")
    const beforeInt = process.listenerCount("SIGINT")
    const finish = deferred()
    let closes = 0
    const exits: Array<number> = []
    handle = onShutdownSignals(
      async () => {
        closes++
        await finish.promise
      },
      { exit: (code) => exits.push(code), log: () => {} },
    )
    expect(process.listenerCount("SIGTERM")).toBe(before + 1)

    process.emit("SIGTERM", "SIGTERM")
    expect(closes).toBe(1)
    process.emit("SIGINT", "SIGINT")
    expect(exits).toEqual([130])
    expect(closes).toBe(1)

    finish.resolve()
    expect(await handle.done).toBe("SIGTERM")
    expect(process.listenerCount("SIGTERM")).toBe(before)
    expect(process.listenerCount("SIGINT")).toBe(beforeInt)
  })

  it("exits with 1 when closing fails", async () => {
    const exits: Array<number> = []
    handle = onShutdownSignals(async () => Promise.reject(new Error("db stuck")), {
      exit: (code) => exits.push(code),
      log: () => {},
    })
    process.emit("SIGINT", "SIGINT")
    await new Promise((r) => setTimeout(r, 10))
    expect(exits).toEqual([1])
  })
})
