/**
 * /docs renders with the network unplugged (issue 10), in a real browser: the HTTP host on a real socket
 * at 127.0.0.1 and Debian's headless Chromium with every other destination unreachable (each host name
 * resolves to nothing, every request goes through a dead proxy unless it is for 127.0.0.1, WebRTC may not
 * leave the proxy). The DOM after the scripts ran must show the Scalar reference with operation summaries
 * read from /openapi.json (they are not in the page's HTML), and Chromium's own network log must show
 * that every request the page made was for the host and that no socket was opened to anything but
 * 127.0.0.1 (the browser's own background requests, blocked, are left out of the first check only).
 * Without Chromium the test is skipped with that reason, unless ANJU_REQUIRE_BROWSER=1 (set by CI).
 */
import { execFile } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Exit } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeApp } from "./App.js"
import { type RunningServer, startServer } from "./Server.js"

const CHROMIUM = process.env["ANJU_CHROMIUM"] ?? "/usr/bin/chromium"
const REQUIRED = process.env["ANJU_REQUIRE_BROWSER"] === "1"
const present = existsSync(CHROMIUM)

/** A port nothing listens on (discard): the proxy every non-loopback request is sent to. */
const DEAD_PROXY = "http://127.0.0.1:9"

interface NetLogEvent {
  readonly type: number
  readonly source: { readonly type: number }
  readonly params?: Record<string, unknown>
}
interface NetLog {
  readonly constants: {
    readonly logEventTypes: Record<string, number>
  }
  readonly events: ReadonlyArray<NetLogEvent>
}

/** Runs Chromium on `url` (virtual time, so the page's scripts finish); answers the DOM and the net log. */
const renderOffline = async (url: string): Promise<{ dom: string; log: NetLog }> => {
  const dir = await mkdtemp(join(tmpdir(), "anju-docs-offline-"))
  try {
    const netLog = join(dir, "netlog.json")
    const dom = await new Promise<string>((resolve, reject) =>
      execFile(
        CHROMIUM,
        [
          "--headless",
          "--no-sandbox", // CI runs as root, where Chromium's sandbox refuses to start
          "--disable-gpu",
          "--disable-dev-shm-usage",
          `--user-data-dir=${join(dir, "profile")}`,
          "--no-first-run",
          "--no-default-browser-check",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--disable-extensions",
          "--disable-default-apps",
          "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
          `--proxy-server=${DEAD_PROXY}`,
          "--proxy-bypass-list=127.0.0.1",
          "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
          `--log-net-log=${netLog}`,
          "--virtual-time-budget=15000",
          "--dump-dom",
          url,
        ],
        { timeout: 25_000, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) =>
          error === null
            ? resolve(stdout)
            : reject(new Error(`chromium failed: ${error.message}\n${stderr}`)),
      ),
    )
    const log = JSON.parse(await readFile(netLog, "utf8")) as NetLog
    return { dom, log }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** The text a reader sees: scripts, styles and tags removed, entities of interest decoded. */
const visibleText = (html: string) =>
  html
    .replace(/<script\b[\s\S]*?<\/script>/giu, " ")
    .replace(/<style\b[\s\S]*?<\/style>/giu, " ")
    .replace(/<[^>]+>/gu, " ")
    .replace(/&nbsp;/gu, " ")
    .replace(/&amp;/gu, "&")
    .replace(/\s+/gu, " ")

/**
 * From Chromium's net log: every request started (url, initiator, type); the remote address of every TCP
 * connection attempted; the UDP sockets connected and the datagrams sent. A UDP connect() transmits
 * nothing (the kernel only picks a route): Chromium's resolver does one to a public IPv6 address to learn
 * whether IPv6 is reachable, so UDP is judged by datagrams sent.
 */
const traffic = (log: NetLog) => {
  const type = log.constants.logEventTypes
  const requests: Array<{ url: string; initiator: string; requestType: string }> = []
  const tcp = new Set<string>()
  const udpConnected = new Set<string>()
  let udpDatagramsSent = 0
  for (const e of log.events) {
    if (e.type === type["UDP_BYTES_SENT"]) udpDatagramsSent++
    const p = e.params
    if (p === undefined) continue
    if (e.type === type["URL_REQUEST_START_JOB"] && typeof p["url"] === "string")
      requests.push({
        url: p["url"],
        initiator: String(p["initiator"] ?? ""),
        requestType: String(p["request_type"] ?? ""),
      })
    if (e.type === type["TCP_CONNECT_ATTEMPT"] && typeof p["address"] === "string") tcp.add(p["address"])
    if (e.type === type["TCP_CONNECT"] && Array.isArray(p["address_list"]))
      for (const a of p["address_list"]) tcp.add(String(a))
    if (e.type === type["UDP_CONNECT"] && typeof p["address"] === "string") udpConnected.add(p["address"])
  }
  return { requests, tcp: [...tcp], udpConnected: [...udpConnected], udpDatagramsSent }
}

const hostOf = (address: string) => address.replace(/:\d+$/u, "").replace(/^\[|\]$/gu, "")

if (!present && !REQUIRED)
  console.warn(
    `DocsOffline.test.ts skipped: no browser at ${CHROMIUM} (apt-get install chromium, or set ANJU_CHROMIUM); CI sets ANJU_REQUIRE_BROWSER=1 and fails instead`,
  )

// skip-reason: Chromium is not installed here (CI installs Debian's chromium and sets ANJU_REQUIRE_BROWSER=1, so it never skips there)
describe.skipIf(!present && !REQUIRED)("/docs in a real browser without a network", () => {
  let server: RunningServer
  beforeAll(async () => {
    // /docs, /docs/assets/scalar.js and /openapi.json never run a use-case, so no services are needed.
    const app = makeApp({
      run: async () => Exit.fail(new Error("no use-case runs behind /docs")),
      publicBaseUrl: "http://127.0.0.1",
      ready: async () => true,
    })
    server = await startServer({ app, port: 0, hostname: "127.0.0.1" })
  })
  afterAll(() => server?.close())

  it("renders the API reference from the host alone, and nothing leaves 127.0.0.1", {
    timeout: 30_000,
  }, async () => {
    expect(present, `ANJU_REQUIRE_BROWSER=1 but ${CHROMIUM} does not exist`).toBe(true)
    const shell = await (await fetch(`${server.url}/docs`)).text()
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      info: { title: string }
      tags?: Array<{ name: string }>
      paths: Record<string, Record<string, { summary?: string; tags?: Array<string> }>>
    }
    // The operations of the first declared tag: Scalar opens that group in its sidebar.
    const operations = Object.values(document.paths).flatMap((item) => Object.values(item))
    const firstTag = document.tags?.[0]?.name ?? operations[0]?.tags?.[0]
    const summaries = operations
      .filter((op) => firstTag !== undefined && op.tags?.[0] === firstTag)
      .map((op) => op.summary)
      .filter((s): s is string => s !== undefined)
    expect(summaries.length).toBeGreaterThan(2)

    const { dom, log } = await renderOffline(`${server.url}/docs`)
    const text = visibleText(dom)
    // Rendered by the script from /openapi.json: neither the title nor any summary is in the served shell.
    for (const s of [document.info.title, ...summaries]) {
      expect(shell).not.toContain(s)
      expect(text, `the rendered reference shows "${s}"`).toContain(s)
    }
    expect(text).toContain("Powered by Scalar")

    const { requests, tcp, udpConnected, udpDatagramsSent } = traffic(log)
    const origin = new URL(server.url).origin
    // The page's own requests: the document (main frame) and everything it initiated.
    const pageRequests = requests.filter((r) => r.requestType === "main frame" || r.initiator === origin)
    const pageUrls = pageRequests.map((r) => r.url)
    expect(pageUrls).toContain(`${origin}/docs`)
    expect(pageUrls.some((u) => u.startsWith(`${origin}/docs/assets/scalar.js`))).toBe(true)
    expect(pageUrls).toContain(`${origin}/openapi.json`)
    for (const u of pageUrls) expect(u.startsWith(`${origin}/`) || /^(?:data|blob):/u.test(u), u).toBe(true)
    // No TCP connection of the browser (page or background) went anywhere but the host or the dead proxy,
    // and no datagram was sent (the resolver's IPv6 probe only connects a UDP socket: nothing leaves).
    expect(tcp.length).toBeGreaterThan(0)
    for (const a of tcp) expect(hostOf(a), a).toBe("127.0.0.1")
    expect(udpDatagramsSent, `UDP sockets connected to ${udpConnected.join(", ")}`).toBe(0)
  })
})
