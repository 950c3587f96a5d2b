/**
 * The start-up banner: with links pointing at localhost it names the network address a phone can reach
 * (private IPv4 first, never loopback, internal or link-local ones) and the `--public-url` to restart
 * with; with a public URL set it adds nothing.
 */
import type { NetworkInterfaceInfo } from "node:os"
import { describe, expect, it } from "vitest"
import { bannerLines, reachableAddresses } from "./Banner.js"

const v4 = (address: string, internal = false): NetworkInterfaceInfo => ({
  address,
  netmask: "255.255.255.0",
  family: "IPv4",
  mac: "00:00:00:00:00:00",
  internal,
  cidr: `${address}/24`,
})
const v6 = (address: string, internal = false): NetworkInterfaceInfo => ({
  address,
  netmask: "ffff:ffff:ffff:ffff::",
  family: "IPv6",
  mac: "00:00:00:00:00:00",
  internal,
  cidr: `${address}/64`,
  scopeid: address.startsWith("fe80") ? 2 : 0,
})

const interfaces = {
  lo: [v4("127.0.0.1", true), v6("::1", true)],
  docker0: [v4("172.17.0.1")],
  wlan0: [v4("192.168.1.23"), v6("fe80::1c2b:3a4d:5e6f:7a8b"), v6("2408:8207:1234::23")],
}

const base = {
  serverUrl: "http://localhost:3000",
  storage: "embedded PostgreSQL (PGlite) in .anju-data",
  interfaces,
}

describe("reachableAddresses", () => {
  it("lists non-internal IPv4 with private Wi-Fi ranges first; global IPv6 only when listening on ::", () => {
    expect(reachableAddresses("0.0.0.0", interfaces)).toEqual(["192.168.1.23", "172.17.0.1"])
    expect(reachableAddresses("::", interfaces)).toEqual(["192.168.1.23", "172.17.0.1", "2408:8207:1234::23"])
    expect(reachableAddresses("0.0.0.0", { lo: [v4("127.0.0.1", true)], eth0: undefined })).toEqual([])
  })
})

describe("bannerLines", () => {
  it("on all interfaces without --public-url: names the LAN URL and the --public-url to restart with", () => {
    const lines = bannerLines({ ...base, listenHost: "0.0.0.0", publicBaseUrl: "http://localhost:3000" })
    expect(lines[0]).toBe(`Anju is serving http://localhost:3000 on ${base.storage}`)
    const text = lines.join("\n")
    expect(text).toContain("on your network: http://192.168.1.23:3000  http://172.17.0.1:3000")
    expect(text).toContain("a phone cannot open")
    expect(text).toContain("--public-url http://192.168.1.23:3000")
    expect(text).not.toMatch(/127\.0\.0\.1|fe80|::1/u)
  })

  it("on :: brackets IPv6 addresses in URLs", () => {
    const text = bannerLines({ ...base, listenHost: "::", publicBaseUrl: "http://localhost:3000" }).join("\n")
    expect(text).toContain("http://[2408:8207:1234::23]:3000")
  })

  it("on a single LAN address: that address", () => {
    const text = bannerLines({
      ...base,
      serverUrl: "http://10.0.0.5:8080",
      listenHost: "10.0.0.5",
      publicBaseUrl: "http://localhost:8080",
    }).join("\n")
    expect(text).toContain("--public-url http://10.0.0.5:8080")
  })

  it("on loopback (the default): says only this computer can open the links and how to change that", () => {
    const text = bannerLines({
      ...base,
      listenHost: "127.0.0.1",
      publicBaseUrl: "http://localhost:3000",
    }).join("\n")
    expect(text).toContain("only this computer")
    expect(text).toContain("--host 0.0.0.0 --public-url http://192.168.1.23:3000")
  })

  it("with no network address: a placeholder instead of a wrong address", () => {
    const text = bannerLines({
      ...base,
      listenHost: "0.0.0.0",
      publicBaseUrl: "http://localhost:3000",
      interfaces: { lo: [v4("127.0.0.1", true)] },
    }).join("\n")
    expect(text).not.toContain("on your network")
    expect(text).toContain("--public-url http://<this computer's address>:<port>")
  })

  it("with a public URL: the links use it and no hint is added", () => {
    const lines = bannerLines({
      ...base,
      listenHost: "0.0.0.0",
      publicBaseUrl: "https://fang.example.gov.cn/",
      demoUnitCode: "ABCD2345EFGH6789",
      demoTokens: ["demo-pudong-officer", "demo-city-officer"],
    })
    expect(lines).toEqual([
      `Anju is serving http://localhost:3000 on ${base.storage}`,
      "  API docs:    https://fang.example.gov.cn/docs   (OpenAPI: https://fang.example.gov.cn/openapi.json)",
      "  demo unit:   https://fang.example.gov.cn/u/ABCD2345EFGH6789   (QR: https://fang.example.gov.cn/u/ABCD2345EFGH6789/qr.png)",
      "  demo cases:  curl -H 'Authorization: Bearer demo-pudong-officer' https://fang.example.gov.cn/api/v1/cases   (demo tokens: demo-pudong-officer, demo-city-officer)",
    ])
  })
})
