/**
 * The start-up banner of the HTTP host, as a pure function of what the host knows (the interfaces come
 * from `os.networkInterfaces()` as an argument). When the public links and QR codes point at this
 * computer only (localhost) it says so, names the network address a phone on the same network can reach
 * and the `--public-url` to restart with; a host listening on all interfaces is reachable there already.
 */
import type { NetworkInterfaceInfo } from "node:os"

export interface BannerInput {
  /** The URL the server reports after binding, e.g. `http://localhost:3000`. */
  readonly serverUrl: string
  /** The address it was asked to listen on: `0.0.0.0`, `::`, `127.0.0.1`, a LAN address … */
  readonly listenHost: string
  /** Base of the public pages and QR codes (`--public-url`, or `http://localhost:<port>`). */
  readonly publicBaseUrl: string
  /** Where the data lives, as StoreSelection.describeStorage says it. */
  readonly storage: string
  readonly demoUnitCode?: string | undefined
  readonly demoTokens?: ReadonlyArray<string> | undefined
  readonly interfaces: Readonly<Record<string, ReadonlyArray<NetworkInterfaceInfo> | undefined>>
}

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]", "::1", "0.0.0.0", "[::]"])
const isLoopbackHost = (host: string) => LOOPBACK_NAMES.has(host) || /^127\./u.test(host)
const isWildcard = (host: string) => host === "0.0.0.0" || host === "::" || host === "" || host === "[::]"

const hostOf = (url: string) => {
  try {
    return new URL(url).hostname
  } catch {
    return ""
  }
}

/** Private IPv4 ranges first (what a phone on the same Wi-Fi reaches), then other addresses. */
const rank = (address: string) =>
  /^192\.168\./u.test(address)
    ? 0
    : /^10\./u.test(address)
      ? 1
      : /^172\.(1[6-9]|2\d|3[01])\./u.test(address)
        ? 2
        : address.includes(":")
          ? 4
          : 3

/**
 * Addresses other machines can use to reach a host listening on `listenHost`: non-internal IPv4
 * addresses, plus global IPv6 ones when listening on `::` (link-local fe80:: needs a zone id a phone's
 * browser does not take, so it is left out). Best guess first.
 */
export const reachableAddresses = (
  listenHost: string,
  interfaces: BannerInput["interfaces"],
): ReadonlyArray<string> => {
  const all = Object.values(interfaces).flatMap((list) => list ?? [])
  const candidates = all.filter(
    (i) =>
      !i.internal &&
      (i.family === "IPv4" || (listenHost === "::" && i.family === "IPv6" && !/^fe80:/iu.test(i.address))),
  )
  const unique = [...new Set(candidates.map((i) => i.address))]
  return unique.sort((a, b) => rank(a) - rank(b))
}

const urlFor = (address: string, port: string) =>
  `http://${address.includes(":") ? `[${address}]` : address}${port === "" ? "" : `:${port}`}`

/** The banner lines, in order; the first one starts with "Anju is serving". */
export const bannerLines = (i: BannerInput): ReadonlyArray<string> => {
  const base = i.publicBaseUrl.replace(/\/$/u, "")
  const port = (() => {
    try {
      return new URL(i.serverUrl).port
    } catch {
      return ""
    }
  })()
  const lines = [
    `Anju is serving ${i.serverUrl} on ${i.storage}`,
    `  API docs:    ${base}/docs   (OpenAPI: ${base}/openapi.json)`,
  ]
  if (i.demoUnitCode !== undefined)
    lines.push(`  demo unit:   ${base}/u/${i.demoUnitCode}   (QR: ${base}/u/${i.demoUnitCode}/qr.png)`)
  if (i.demoTokens !== undefined && i.demoTokens.length > 0)
    lines.push(
      `  demo cases:  curl -H 'Authorization: Bearer ${i.demoTokens[0]}' ${base}/api/v1/cases   (demo tokens: ${i.demoTokens.join(", ")})`,
    )
  if (!isLoopbackHost(hostOf(base))) return lines

  const wildcard = isWildcard(i.listenHost)
  const reachable = wildcard
    ? reachableAddresses(i.listenHost, i.interfaces)
    : isLoopbackHost(i.listenHost)
      ? []
      : [i.listenHost]
  if (wildcard || !isLoopbackHost(i.listenHost)) {
    if (reachable.length > 0)
      lines.push(`  on your network: ${reachable.map((a) => urlFor(a, port)).join("  ")}`)
    const example =
      reachable[0] === undefined ? "http://<this computer's address>:<port>" : urlFor(reachable[0], port)
    lines.push(
      `  note: public pages and QR codes point at ${base}, which a phone cannot open;`,
      `        restart with --public-url ${example} (or the address residents use, e.g. https://fang.example.gov.cn)`,
    )
  } else {
    const lan = reachableAddresses("0.0.0.0", i.interfaces)[0]
    lines.push(
      `  note: only this computer can open these links; to scan a QR code with a phone on the same network,`,
      `        restart with --host 0.0.0.0 --public-url ${lan === undefined ? "http://<this computer's address>:<port>" : urlFor(lan, port)}`,
    )
  }
  return lines
}
