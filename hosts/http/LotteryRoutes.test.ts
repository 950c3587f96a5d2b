/**
 * Lottery rounds over HTTP (R53). On in-memory PGlite with the demo seed: the demo round is listed, its three
 * files fetched over HTTP pass the application verifier, the domain verifier and the CLI `anju lottery
 * verify` (a changed result.csv fails it), an entrant's proof checks against the transcript's root, and the
 * public page shows round, root and place. On the test host: open → draw once → annul → redraw with
 * `lottery.manage` and scope (other district / operator: 404 like a missing round; no permission: 403; no
 * credential: 401); the pool refuses personal fields; /openapi.json marks the publication `security: []`.
 */
import { Layer, ManagedRuntime, Result } from "effect"
import type { Hono } from "hono"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { verifyDraw } from "../../application/lottery/VerifyDraw.js"
import { checkInclusionProof } from "../../domain/lottery/InclusionProof.js"
import { parsePoolCsv } from "../../domain/lottery/PoolCsv.js"
import { parseTranscript } from "../../domain/lottery/Transcript.js"
import { verify } from "../../domain/lottery/Verify.js"
import type { CliIo } from "../cli/Io.js"
import { noProgress } from "../cli/Io.js"
import { main as cli } from "../cli/Main.js"
import { DEMO_ENTRANTS, DEMO_ROUND_ID, seedDemoLottery } from "../demo/DemoLottery.js"
import { seedDemoEstate } from "../demo/DemoEstate.js"
import { hostLayer } from "../StoreSelection.js"
import { makeApp } from "./App.js"
import { bearer, testVerifierLayer } from "./TestActors.js"
import { callOf, makeTestHost, type TestHost } from "./TestHost.js"

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read structurally
type Json = any

/** A CLI Io over in-memory files. */
const memoryIo = (files: Record<string, string>) => {
  const out: Array<string> = []
  const err: Array<string> = []
  const io: CliIo = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    readFile: async (path) => {
      const text = files[path]
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" })
      return new TextEncoder().encode(text)
    },
    writeFile: async () => {},
    env: {},
    progress: () => noProgress,
  }
  return { io, out, err }
}

describe("the demo round, published over HTTP (in-memory PGlite, demo seed)", () => {
  // The demo host's own composition: the demo round is built from admitted demo cases through the queue.
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(hostLayer({ kind: "pglite", dataDir: null }, { demo: true }), testVerifierLayer),
  )
  let app: Hono
  beforeAll(async () => {
    await runtime.runPromise(seedDemoEstate)
    await runtime.runPromise(seedDemoLottery)
    // Seeding again changes nothing (idempotent on every start).
    await runtime.runPromise(seedDemoLottery)
    app = makeApp({
      run: (effect) => runtime.runPromiseExit(effect),
      publicBaseUrl: "https://fang.example.gov.cn",
      ready: async () => true,
      lottery: { run: (effect) => runtime.runPromiseExit(effect) },
    })
  }, 300_000)
  afterAll(() => runtime.dispose())

  const fetchText = async (path: string) => {
    const res = await app.request(path)
    expect(res.status, path).toBe(200)
    return res.text()
  }

  it("lists the drawn demo round; its three files pass VerifyDraw, the domain verifier and `anju lottery verify`", async () => {
    const list: Json = await (await app.request("/api/v1/lotteries")).json()
    expect(list.items.map((i: Json) => i.id)).toEqual([DEMO_ROUND_ID])
    const round = list.items[0]
    expect(round).toMatchObject({
      status: "drawn",
      projectId: "DEMO-PD-001",
      entrants: DEMO_ENTRANTS.length,
      hash: "SM3",
    })
    expect(round.draw.seedSources).toEqual([
      { kind: "digits", digits: "20261123", note: "浦东公证处（演示）" },
    ])
    const base = `/api/v1/lotteries/${DEMO_ROUND_ID}`
    expect(round.files.result).toBe(`https://fang.example.gov.cn${base}/result.csv`)
    const [poolCsv, transcript, resultCsv] = await Promise.all(
      ["pool.csv", "transcript.json", "result.csv"].map((f) => fetchText(`${base}/${f}`)),
    )
    // No personal data: the pool is application numbers and strata only.
    expect(poolCsv!.split("\n")[0]).toBe("id,stratum")
    expect(poolCsv!).not.toMatch(/\d{17}[\dX]/u)

    const pool = Result.getOrThrow(parsePoolCsv(poolCsv!))
    expect(pool.entrants).toHaveLength(DEMO_ENTRANTS.length)
    const t = Result.getOrThrow(parseTranscript(transcript!))
    expect(t.poolRoot).toBe(round.poolRoot)
    expect(t.resultDigest).toBe(round.draw.resultDigest)
    expect(Result.isSuccess(verify({ pool, transcript: t, resultCsv: resultCsv! }))).toBe(true)
    const recorded = await runtime.runPromise(
      verifyDraw({ pool, transcript: transcript!, resultCsv: resultCsv! }),
    )
    expect(recorded.recordedAs).toEqual({ drawId: round.draw.id, standing: true })

    const args = [
      "lottery",
      "verify",
      "--pool",
      "pool.csv",
      "--transcript",
      "transcript.json",
      "--result",
      "result.csv",
    ]
    const ok = memoryIo({ "pool.csv": poolCsv!, "transcript.json": transcript!, "result.csv": resultCsv! })
    expect(await cli(args, ok.io), ok.err.join("\n")).toBe(0)
    expect(ok.out.join("\n")).toContain(
      `pool root ${round.poolRoot} (${DEMO_ENTRANTS.length} entrants, 1 strata)`,
    )
    // The same check fails on a result.csv whose first two entrants swapped places.
    const lines = resultCsv!.split("\n")
    const swapped = [
      lines[0],
      lines[2]!.replace(",2,", ",1,"),
      lines[1]!.replace(",1,", ",2,"),
      ...lines.slice(3),
    ]
    const bad = memoryIo({
      "pool.csv": poolCsv!,
      "transcript.json": transcript!,
      "result.csv": swapped.join("\n"),
    })
    expect(await cli(args, bad.io)).toBe(1)
    expect(bad.err.join("\n")).toContain("mismatch")
  })

  it("check my number: the proof checks against the transcript's root and the place matches result.csv", async () => {
    const base = `/api/v1/lotteries/${DEMO_ROUND_ID}`
    const t = Result.getOrThrow(parseTranscript(await fetchText(`${base}/transcript.json`)))
    const resultCsv = await fetchText(`${base}/result.csv`)
    for (const entrant of [DEMO_ENTRANTS[0]!, DEMO_ENTRANTS.at(-1)!]) {
      const res = await app.request(`${base}/proof?id=${entrant.id}`)
      expect(res.status).toBe(200)
      const body: Json = await res.json()
      expect(Result.isSuccess(checkInclusionProof(body.proof, entrant, t.poolRoot))).toBe(true)
      expect(
        Result.isFailure(checkInclusionProof(body.proof, { ...entrant, id: "GZ-PD-2026-9999" }, t.poolRoot)),
      ).toBe(true)
      const r = body.result
      expect(resultCsv).toContain(`${r.stratum},${r.rank},${r.number},${entrant.id},${r.outcome}\n`)
    }
    expect((await app.request(`${base}/proof?id=GZ-PD-2026-9999`)).status).toBe(404)
    expect((await app.request(`${base}/proof`)).status).toBe(400)
    expect((await app.request(`${base}/proof?id=GZ-PD-2026-0001&name=x`)).status).toBe(400)
    expect((await app.request("/api/v1/lotteries/NOPE/result.csv")).status).toBe(404)
  })

  it("the public page shows the round, root, commitment time, seed, digest, links and the entrant's place", async () => {
    const round: Json = await (await app.request(`/api/v1/lotteries/${DEMO_ROUND_ID}`)).json()
    const page = await app.request(`/lotteries/${DEMO_ROUND_ID}`)
    expect(page.status).toBe(200)
    expect(page.headers.get("content-type")).toContain("text/html")
    const html = await page.text()
    for (const s of [
      round.title,
      round.poolRoot,
      round.draw.seed,
      round.draw.resultDigest,
      "digits:20261123",
      "公示（冻结）时间",
      "北京时间",
      `${round.files.pool}`,
      `${round.files.transcript}`,
      "查询我的编号",
      'name="viewport"',
    ])
      expect(html, s).toContain(s)
    const checked = await (await app.request(`/lotteries/${DEMO_ROUND_ID}?id=GZ-PD-2026-0007`)).text()
    expect(checked).toMatch(
      /申请编号 GZ-PD-2026-0007：分组 DEMO-PD-001\/any，第 <b>\d+<\/b> 位，轮候序号 <b>\d+<\/b>/u,
    )
    expect(checked).toContain("&quot;leafIndex&quot;")
    const missing = await (await app.request(`/lotteries/${DEMO_ROUND_ID}?id=<script>`)).text()
    expect(missing).toContain("&lt;script&gt; 不在本批次摇号池中")
    expect((await app.request("/lotteries/NOPE")).status).toBe(404)
  })

  it("/openapi.json documents the publication as public and management as lottery.manage", async () => {
    const doc: Json = await (await app.request("/openapi.json")).json()
    for (const path of [
      "/lotteries/{id}",
      "/api/v1/lotteries",
      "/api/v1/lotteries/{id}",
      "/api/v1/lotteries/{id}/pool.csv",
      "/api/v1/lotteries/{id}/transcript.json",
      "/api/v1/lotteries/{id}/result.csv",
      "/api/v1/lotteries/{id}/proof",
    ])
      expect(doc.paths[path].get.security, path).toEqual([])
    for (const path of ["/api/v1/lotteries", "/api/v1/lotteries/{id}/draw", "/api/v1/lotteries/{id}/annul"])
      expect(doc.paths[path].post["x-permission"], path).toBe("lottery.manage")
  })
})

describe("managing rounds over HTTP (memory stores)", () => {
  let host: TestHost
  let call: ReturnType<typeof callOf>
  beforeAll(async () => {
    host = await makeTestHost("memory")
    call = callOf(host.app)
  })
  afterAll(() => host?.dispose())

  const round = {
    roundId: "R-2026-PD-1",
    projectId: "P-walk",
    district: "310115",
    unitTypes: ["1R", "2R"],
    title: "2026年第二批",
    entrants: Array.from({ length: 9 }, (_, i) => ({ id: `A-${i}`, stratum: i < 4 ? "1R" : "2R" })),
    units: [
      { stratum: "1R", units: 1 },
      { stratum: "2R", units: 2 },
    ],
  }

  it("open → draw once → annul with a reason → redraw, with lottery.manage and the project's scope", async () => {
    const pudong = bearer("t-pudong")
    expect((await call("post", "/api/v1/lotteries", {}, round)).status).toBe(401)
    expect((await call("post", "/api/v1/lotteries", bearer("t-applicant"), round)).status).toBe(403)
    expect((await call("post", "/api/v1/lotteries", bearer("t-xuhui"), round)).status).toBe(403)
    const withName = {
      ...round,
      roundId: "R-named",
      entrants: [{ id: "A-1", stratum: "1R", name: "王五", idNumber: "310115198503120012" }],
    }
    expect((await call("post", "/api/v1/lotteries", pudong, withName)).status).toBe(400)
    const opened = await call("post", "/api/v1/lotteries", pudong, round)
    expect(opened.status).toBe(201)
    const o: Json = await opened.json()
    expect(o).toMatchObject({ id: round.roundId, status: "committed", draw: null, entrants: 9 })
    expect(o.poolRoot).toMatch(/^[0-9a-f]{64}$/u)
    // The pool is published before any seed exists; the result files only after the draw.
    expect((await host.app.request(`/api/v1/lotteries/${round.roundId}/pool.csv`)).status).toBe(200)
    expect((await host.app.request(`/api/v1/lotteries/${round.roundId}/result.csv`)).status).toBe(404)

    const draw = (token: Parameters<typeof bearer>[0], seed = "digits:20260101") =>
      call("post", `/api/v1/lotteries/${round.roundId}/draw`, bearer(token), { seed })
    expect((await draw("t-xuhui")).status).toBe(404)
    // Operating companies hold no lottery.manage by default (Access.ts DEFAULT_PERMISSIONS).
    expect((await draw("t-operator")).status).toBe(403)
    expect((await draw("t-pudong", "digits:12a")).status).toBe(422)
    const first = await draw("t-pudong")
    expect(first.status).toBe(200)
    const d1: Json = await first.json()
    expect(d1.status).toBe("drawn")
    expect(d1.poolRoot).toBe(o.poolRoot)
    const again = await draw("t-city", "digits:99")
    expect(again.status).toBe(409)
    expect(await again.json()).toMatchObject({ error: "already_drawn", rule: "R53" })

    const annul = (reason: string) =>
      call("post", `/api/v1/lotteries/${round.roundId}/annul`, pudong, { reason })
    expect((await annul("重摇")).status).toBe(422)
    const annulled = await annul("公证员未到场，依规作废")
    expect(annulled.status).toBe(200)
    const a: Json = await annulled.json()
    expect(a).toMatchObject({ status: "committed", draw: null })
    expect(a.annulledDraws).toMatchObject([{ id: d1.draw.id, reason: "公证员未到场，依规作废" }])
    expect((await annul("公证员未到场，依规作废")).status).toBe(409)

    const second = await draw("t-pudong", "digits:20260102")
    expect(second.status).toBe(200)
    const d2: Json = await second.json()
    expect(d2.draw.id).not.toBe(d1.draw.id)
    const page = await (await host.app.request(`/lotteries/${round.roundId}`)).text()
    expect(page).toContain("已作废的摇号")
    expect(page).toContain(d1.draw.id)
  })

  it("runs only its declared exits (no 5xx on a missing round or a bad body)", async () => {
    const pudong = bearer("t-pudong")
    const r1 = await call("post", "/api/v1/lotteries/NOPE/draw", pudong, { seed: "1" })
    expect(r1.status).toBe(404)
    const r2 = await call("post", "/api/v1/lotteries/NOPE/annul", pudong, { reason: "" })
    expect(r2.status).toBe(400)
    const r3 = await host.app.request("/api/v1/lotteries/R-x/draw", {
      method: "POST",
      headers: { ...pudong, "content-type": "text/plain" },
      body: "x",
    })
    expect(r3.status).toBe(415)
  })
})
