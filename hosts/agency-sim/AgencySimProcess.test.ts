/**
 * HttpAgencyRecords against the agency simulator running as a SEPARATE PROCESS (hosts/agency-sim/bin.ts on
 * a random port on 127.0.0.1, its own SM2 key): a verification round-trips with a checked signature; an
 * answer tampered with in transit, stripped of its signature or checked against another key is Untrusted;
 * a slow agency hits the per-request timeout; killing the process opens the circuit after N failures,
 * after which queries fail at once with no network call; the host's configuration wires the same client.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { join, resolve } from "node:path"
import { Effect, Exit } from "effect"
import { sm2 } from "sm-crypto-v2"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  AgencyRecords,
  type AgencyRecordsError,
  type AgencyRequest,
} from "../../application/ports/AgencyRecords.js"
import * as HttpAgencyRecords from "../../adapters/http/HttpAgencyRecords.js"
import { planHost } from "../HostConfig.js"
import { agencyLayer } from "../StoreSelection.js"

const ROOT = resolve(import.meta.dirname, "..", "..")
const TSX = join(ROOT, "node_modules", ".bin", "tsx")
const BIN = join(ROOT, "hosts", "agency-sim", "bin.ts")
const FAILING_ID = "110105194912310021"

interface Sim {
  readonly child: ChildProcess
  readonly url: string
  readonly publicKey: string
}

const keys = sm2.generateKeyPairHex()

/** Spawns the simulator (own process group) with a configured key; resolves once it prints its URL and public key. */
const spawnSim = (args: ReadonlyArray<string>) =>
  new Promise<Sim>((done, fail) => {
    const child = spawn(TSX, [BIN, "--port", "0", "--host", "127.0.0.1", ...args], {
      cwd: ROOT,
      env: { PATH: process.env["PATH"], ANJU_AGENCY_SIM_PRIVATE_KEY: keys.privateKey },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group: tsx runs node as a child, and both must die
    })
    let log = ""
    const collect = (d: Buffer) => {
      log += d.toString()
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/u.exec(log)
      const key = /public key: (04[0-9a-f]{128})/u.exec(log)
      if (url !== null && key !== null) done({ child, url: url[1]!, publicKey: key[1]! })
    }
    child.stdout!.on("data", collect)
    child.stderr!.on("data", collect)
    child.on("exit", (code) => fail(new Error(`agency simulator exited (${code}):\n${log}`)))
  })

const stop = async (child: ChildProcess) => {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((r) => child.once("exit", r))
  process.kill(-child.pid!, "SIGKILL")
  await exited
}

let sim: Sim
let slow: Sim
/** A man in the middle between client and simulator that rewrites the answer body. */
let proxy: Server
let proxyUrl = ""
let rewrite: (body: string) => string = (b) => b

beforeAll(async () => {
  ;[sim, slow] = await Promise.all([
    spawnSim(["--fail-id", FAILING_ID, "--pending", "real_estate"]),
    spawnSim(["--latency-ms", "3000"]),
  ])
  proxy = createServer(async (req, res) => {
    const chunks: Array<Buffer> = []
    for await (const c of req) chunks.push(c as Buffer)
    const upstream = await fetch(`${sim.url}${req.url}`, {
      method: req.method ?? "POST",
      headers: { "content-type": "application/json" },
      body: Buffer.concat(chunks),
    })
    const text = rewrite(await upstream.text())
    res.writeHead(upstream.status, { "content-type": "application/json" }).end(text)
  })
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r))
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
}, 60_000)

afterAll(async () => {
  await new Promise((r) => proxy?.close(r))
  await Promise.all([sim, slow].filter((s) => s !== undefined).map((s) => stop(s.child)))
})

const request = (idNumber: string, source: AgencyRequest["source"] = "marriage"): AgencyRequest => ({
  source,
  caseId: "SIM-1",
  kind: "gongzu",
  subjects: [{ role: "applicant", name: "王五", idNumber }],
  requestDigest: `digest-${source}-${idNumber}`,
})

const client = (options: Partial<HttpAgencyRecords.HttpAgencyOptions> = {}) =>
  Effect.runPromise(
    HttpAgencyRecords.make({
      url: sim.url,
      publicKey: sim.publicKey,
      retries: 0,
      timeout: 2_000,
      ...options,
    }),
  )

const failureOf = async (effect: Effect.Effect<unknown, AgencyRecordsError>) => {
  const exit = await Effect.runPromiseExit(effect)
  if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${JSON.stringify(exit.value)}`)
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (reason?._tag !== "Fail") throw new Error("expected a typed failure")
  return reason.error
}

describe("HttpAgencyRecords ↔ agency simulator process", () => {
  it("round-trips a verification: pass, fail for a listed ID, pending for a listed source", async () => {
    expect(sim.publicKey).toBe(keys.publicKey.toLowerCase())
    const { service } = await client()
    const pass = await Effect.runPromise(service.query(request("310115198503120012")))
    expect(pass).toEqual({ result: "pass", detail: "marriage: 模拟器 — 核查通过 (simulated)" })
    expect((await Effect.runPromise(service.query(request(FAILING_ID)))).result).toBe("fail")
    expect(
      (await Effect.runPromise(service.query(request("310115198503120012", "real_estate")))).result,
    ).toBe("pending")
  })

  it("refuses a tampered, unsigned or foreign-key answer as Untrusted, without retrying", async () => {
    const { service } = await client({ url: proxyUrl, retries: 3 })
    rewrite = (b) => b.replace('"result":"fail"', '"result":"pass"')
    const tampered = await failureOf(service.query(request(FAILING_ID)))
    expect(tampered.reason).toMatchObject({ _tag: "Untrusted", detail: expect.stringMatching(/signature/u) })
    expect(tampered.isRetryable).toBe(false)
    rewrite = (b) => JSON.stringify({ answer: (JSON.parse(b) as { answer: unknown }).answer })
    expect((await failureOf(service.query(request("310115198503120012")))).reason._tag).toBe("Untrusted")
    // A genuine answer replayed for another request (other digest) is not evidence either.
    rewrite = (b) => b.replaceAll("digest-marriage-310115198503120012", "digest-marriage-X")
    expect((await failureOf(service.query(request("310115198503120012")))).reason._tag).toBe("Untrusted")
    rewrite = (b) => b
    expect((await Effect.runPromise(service.query(request("310115198503120012")))).result).toBe("pass")
    const other = sm2.generateKeyPairHex()
    const foreign = await client({ publicKey: other.publicKey })
    expect((await failureOf(foreign.service.query(request("310115198503120012")))).reason._tag).toBe(
      "Untrusted",
    )
  })

  it("honours the per-request timeout against a slow agency (3 s latency, 300 ms timeout)", async () => {
    const { service } = await client({ url: slow.url, timeout: 300, retries: 1, backoff: 10 })
    const started = Date.now()
    const error = await failureOf(service.query(request("310115198503120012")))
    const elapsed = Date.now() - started
    expect(error.reason._tag).toBe("Timeout")
    expect(elapsed).toBeGreaterThanOrEqual(600) // two attempts of 300 ms
    expect(elapsed).toBeLessThan(2_500) // neither waited for the 3 s answer
  })

  it("is wired by the host configuration (ANJU_AGENCIES=http) and checks answers with the configured key", async () => {
    const plan = planHost({
      storage: { kind: "pglite", dataDir: null },
      env: { ANJU_AGENCIES: "http", ANJU_AGENCY_URL: sim.url, ANJU_AGENCY_PUBLIC_KEY: sim.publicKey },
    })
    expect(plan.config.agencies.kind).toBe("http")
    const answer = await Effect.runPromise(
      Effect.gen(function* () {
        return yield* (yield* AgencyRecords).query(request(FAILING_ID, "death"))
      }).pipe(Effect.provide(agencyLayer(plan.config.agencies))),
    )
    expect(answer.result).toBe("fail")
    expect(answer.detail).not.toContain(FAILING_ID)
  })

  it("opens the circuit after N failures once the process is killed; then fails fast with no network call", async () => {
    let calls = 0
    const counting: typeof fetch = (input, init) => {
      calls++
      return fetch(input, init)
    }
    const breaker = await client({
      fetch: counting,
      retries: 1,
      backoff: 10,
      breaker: { failures: 3, cooldown: 60_000 },
    })
    expect((await Effect.runPromise(breaker.service.query(request("310115198503120012")))).result).toBe(
      "pass",
    )
    await stop(sim.child)
    for (let i = 0; i < 3; i++) {
      const e = await failureOf(breaker.service.query(request("310115198503120012")))
      expect(e.reason).toMatchObject({ _tag: "Unavailable", detail: expect.stringMatching(/cannot reach/u) })
    }
    expect(breaker.state()._tag).toBe("Open")
    const before = calls
    expect(before).toBe(1 + 3 * 2) // one answer, then three queries of two attempts each
    const started = Date.now()
    const fast = await failureOf(breaker.service.query(request("310115198503120012")))
    expect(Date.now() - started).toBeLessThan(50)
    expect(fast.reason).toMatchObject({ _tag: "Unavailable", detail: expect.stringMatching(/circuit open/u) })
    expect(calls).toBe(before)
  })
})
