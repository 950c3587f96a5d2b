/**
 * Runs a Hono app on Node's HTTP server (@hono/node-server) with graceful shutdown: `close()` stops
 * accepting connections, lets in-flight requests finish (idle keep-alive sockets are closed as they
 * become idle) and resolves once the server is closed; sockets still busy after the grace period are
 * cut. `onShutdownSignals` wires that to SIGTERM/SIGINT; a second signal forces the process to exit.
 */
import type { Server } from "node:http"
import type { AddressInfo } from "node:net"
import { constants } from "node:os"
import { createAdaptorServer } from "@hono/node-server"

export interface RunningServer {
  /** Where the server listens, e.g. `http://127.0.0.1:3000` (port 0 resolves to the chosen port). */
  readonly url: string
  /** Graceful close; idempotent (every call returns the same promise). */
  readonly close: () => Promise<void>
}

export interface StartServerOptions {
  readonly app: { readonly fetch: (request: Request) => Response | Promise<Response> }
  /** 0 picks a free port. */
  readonly port: number
  /** Interface to bind; Node's default (all interfaces) when omitted. */
  readonly hostname?: string
  /** How long `close()` waits for in-flight requests before cutting their sockets (default 10 s). */
  readonly shutdownGraceMs?: number
}

const IDLE_SWEEP_MS = 100

const urlOf = (a: AddressInfo) => {
  const host =
    a.address === "::" || a.address === "0.0.0.0"
      ? "localhost"
      : a.family === "IPv6"
        ? `[${a.address}]`
        : a.address
  return `http://${host}:${a.port}`
}

/** Starts listening; rejects if the port cannot be bound (EADDRINUSE, EACCES …). */
export const startServer = (options: StartServerOptions): Promise<RunningServer> =>
  new Promise((resolve, reject) => {
    // Without `createServer` options the adaptor builds a plain node:http server.
    const server = createAdaptorServer({ fetch: (request) => options.app.fetch(request) }) as Server
    const grace = options.shutdownGraceMs ?? 10_000
    let closing: Promise<void> | undefined
    const close = () => {
      closing ??= new Promise<void>((done, fail) => {
        const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS)
        const force = setTimeout(() => server.closeAllConnections(), grace)
        server.close((err) => {
          clearInterval(sweep)
          clearTimeout(force)
          if (err) fail(err)
          else done()
        })
      })
      return closing
    }
    server.once("error", reject)
    server.listen(options.port, options.hostname, () => {
      server.off("error", reject)
      resolve({ url: urlOf(server.address() as AddressInfo), close })
    })
  })

export interface ShutdownOptions {
  /** Default SIGTERM and SIGINT. */
  readonly signals?: ReadonlyArray<NodeJS.Signals>
  /** Called on a second signal or when `close` fails; default `process.exit`. */
  readonly exit?: (code: number) => void
  readonly log?: (message: string) => void
}

export interface ShutdownHandle {
  /** Resolves with the signal once `close` has finished (listeners are then removed). */
  readonly done: Promise<NodeJS.Signals>
  /** Removes the listeners without closing anything. */
  readonly dispose: () => void
}

/**
 * On the first signal runs `close` (stop accepting, drain, release resources); a second signal while
 * it runs exits at once with 128 + the signal number. After `close` the listeners are removed, so the
 * process exits normally once nothing else keeps it alive.
 */
export const onShutdownSignals = (
  close: () => Promise<void>,
  options: ShutdownOptions = {},
): ShutdownHandle => {
  const signals = options.signals ?? ["SIGTERM", "SIGINT"]
  const exit = options.exit ?? ((code: number) => process.exit(code))
  const log = options.log ?? ((m: string) => console.error(m))
  let received: NodeJS.Signals | undefined
  let resolveDone: (s: NodeJS.Signals) => void = () => {}
  const done = new Promise<NodeJS.Signals>((r) => {
    resolveDone = r
  })
  const dispose = () => {
    for (const s of signals) process.off(s, onSignal)
  }
  function onSignal(signal: NodeJS.Signals) {
    if (received !== undefined) {
      log(`${signal} again: exiting without waiting for in-flight requests`)
      exit(128 + (constants.signals[signal] ?? 0))
      return
    }
    received = signal
    log(`${signal}: shutting down gracefully (send it again to force)`)
    close().then(
      () => {
        dispose()
        resolveDone(signal)
      },
      (err: unknown) => {
        dispose()
        log(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`)
        exit(1)
      },
    )
  }
  for (const s of signals) process.on(s, onSignal)
  return { done, dispose }
}
