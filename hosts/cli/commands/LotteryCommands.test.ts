/**
 * The `anju lottery …` commands run in-process (R53, R55): the committed root is the transcript's root;
 * result.csv is byte-identical across runs and equal to the pure-digest domain draw; verify exits 0, and 1
 * after swapping two rows, dropping a pool line or changing the seed; proofs round-trip; a duplicate id
 * names its line; result.xlsx and result.xml carry the same rows; signing and run-once recording work.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { readXlsx } from "../../../adapters/xlsx/XlsxTable.js"
import { pureSm3 } from "../../../domain/lottery/Digest.js"
import { draw } from "../../../domain/lottery/Draw.js"
import { parsePoolCsv, parseUnitsCsv } from "../../../domain/lottery/PoolCsv.js"
import { UsageError } from "../Args.js"
import { type Command, nodeIo } from "../Io.js"
import { lotteryAnnul } from "./LotteryAnnul.js"
import { lotteryCommit } from "./LotteryCommit.js"
import { lotteryDraw } from "./LotteryDraw.js"
import { lotteryCheckProof, lotteryProof } from "./LotteryProof.js"
import { lotteryVerify } from "./LotteryVerify.js"

const run = async (command: Command, argv: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  let out = ""
  let err = ""
  let code: number
  const io = {
    ...nodeIo,
    out: (t: string) => {
      out += `${t}\n`
    },
    err: (t: string) => {
      err += `${t}\n`
    },
    env,
  }
  try {
    code = await command.run(argv, io)
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    err += e.message
    code = 2
  }
  return { code, out, err }
}

const PRIVATE_KEY = "33f0b9506348f3ce003b116cf148858c1d46196e8fa94bceac21509d6395d01e"
const PUBLIC_KEY =
  "04d6f18559256f650f77f6318448f3b04cba87953b3223ca7a641c7da090635d10c4843daf104bb162c473b1fa12956bc275d407a0be644e4a86594b390ed3d9e6"

// 320 entrants over 3 strata (result.csv > 4 KiB, so the CLI's native digest path is exercised), one id
// needing CSV quoting and XML escaping, and a name column that must be ignored.
const POOL_LINES = [
  "id,stratum,name",
  ...Array.from(
    { length: 320 },
    (_, i) => `A${String(i).padStart(5, "0")},${["P1-2R", "P1-3R", "P2-1R"][i % 3]},姓名${i}`,
  ),
  '"Q&<""7>,x",P2-1R,引号',
]
const POOL = `${POOL_LINES.join("\n")}\n`
const UNITS = "stratum,units\nP1-2R,5\nP1-3R,3\nP2-1R,200\n"

let dir = ""
const at = (...p: Array<string>) => join(dir, ...p)
const text = async (p: string) => readFile(p, "utf8")

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "anju-lottery-"))
  await writeFile(at("pool.csv"), POOL)
  await writeFile(at("units.csv"), UNITS)
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const drawTo = (out: string, extra: ReadonlyArray<string> = []) =>
  run(lotteryDraw, [
    "--pool",
    at("pool.csv"),
    "--seed",
    "20250601",
    "--units",
    at("units.csv"),
    "--out",
    at(out),
    ...extra,
  ])

describe("anju lottery commit / draw / verify", () => {
  it("commit prints only the root, and the transcript carries the same root", async () => {
    const c = await run(lotteryCommit, ["--pool", at("pool.csv")])
    expect(c.code).toBe(0)
    expect(c.out).toMatch(/^[0-9a-f]{64}\n$/u)
    const d = await drawTo("a")
    expect(d.code).toBe(0)
    expect(d.out).toContain("written to")
    const t = JSON.parse(await text(at("a", "transcript.json")))
    expect(t.poolRoot).toBe(c.out.trim())
    expect(t.hash).toBe("SM3")
    const sha = await run(lotteryCommit, ["--pool", at("pool.csv"), "--hash", "sha256"])
    expect(sha.out.trim()).not.toBe(c.out.trim())
    expect((await drawTo("sha", ["--hash", "sha256", "--formats", "csv"])).code).toBe(0)
    expect(JSON.parse(await text(at("sha", "transcript.json"))).poolRoot).toBe(sha.out.trim())
  })

  it("result.csv is byte-identical across runs and equal to the pure-digest domain draw", async () => {
    expect((await drawTo("b")).code).toBe(0)
    const a = await readFile(at("a", "result.csv"))
    const b = await readFile(at("b", "result.csv"))
    expect(a.length).toBeGreaterThan(4096)
    expect(Buffer.compare(a, b)).toBe(0)
    const lines = a.toString("utf8").split("\n")
    expect(lines[0]).toBe("stratum,rank,number,id,outcome")
    expect(lines.filter((l) => l.endsWith(",winner"))).toHaveLength(5 + 3 + 107) // P2-1R: 106 + the quoted id, all win
    const pure = draw({
      pool: Result.getOrThrow(parsePoolCsv(POOL)),
      units: Result.getOrThrow(parseUnitsCsv(UNITS)),
      seed: [{ kind: "digits", digits: "20250601" }],
      digest: pureSm3,
    })
    expect(Buffer.compare(Buffer.from(Result.getOrThrow(pure).resultCsv), a)).toBe(0)
  })

  it("without units every row is waiting; --start-number shifts the numbers", async () => {
    const r = await run(lotteryDraw, [
      "--pool",
      at("pool.csv"),
      "--seed",
      "hex:00ff",
      "--start-number",
      "1001",
      "--formats",
      "csv",
      "--out",
      at("w"),
    ])
    expect(r.code).toBe(0)
    const rows = (await text(at("w", "result.csv"))).trimEnd().split("\n").slice(1)
    expect(rows.every((l) => l.endsWith(",waiting"))).toBe(true)
    expect(rows[0]).toMatch(/^P1-2R,1,1001,/u)
    expect(await readFile(at("w", "result.xlsx")).catch(() => "absent")).toBe("absent")
  })

  it("verify exits 0, and 1 after swapping two rows, dropping a pool line or changing the seed", async () => {
    const ok = await run(lotteryVerify, [
      "--pool",
      at("pool.csv"),
      "--transcript",
      at("a", "transcript.json"),
      "--result",
      at("a", "result.csv"),
    ])
    expect(ok).toMatchObject({ code: 0 })
    expect(ok.out).toContain("verified")

    const lines = (await text(at("a", "result.csv"))).split("\n")
    const swapped = [...lines]
    ;[swapped[2], swapped[3]] = [lines[3]!, lines[2]!]
    await writeFile(at("swapped.csv"), swapped.join("\n"))
    const s = await run(lotteryVerify, [
      "--pool",
      at("pool.csv"),
      "--transcript",
      at("a", "transcript.json"),
      "--result",
      at("swapped.csv"),
    ])
    expect(s.code).toBe(1)
    expect(s.err).toContain("ResultMismatch")
    expect(s.err).toContain("line 3")

    await writeFile(at("dropped.csv"), `${POOL_LINES.filter((_, i) => i !== 17).join("\n")}\n`)
    const d = await run(lotteryVerify, [
      "--pool",
      at("dropped.csv"),
      "--transcript",
      at("a", "transcript.json"),
    ])
    expect(d.code).toBe(1)
    expect(d.err).toContain("PoolRootMismatch")

    const t = JSON.parse(await text(at("a", "transcript.json")))
    t.seed.sources[0].digits = "20250602"
    await writeFile(at("reseeded.json"), JSON.stringify(t))
    const z = await run(lotteryVerify, ["--pool", at("pool.csv"), "--transcript", at("reseeded.json")])
    expect(z.code).toBe(1)
    expect(z.err).toContain("SeedMismatch")
  })

  it("a duplicate id is an error naming its line (and the first one)", async () => {
    await writeFile(at("dup.csv"), "id,stratum\nA1,P1\nA2,P1\nA3,P2\nA2,P2\n")
    for (const [cmd, argv] of [
      [lotteryCommit, ["--pool", at("dup.csv")]],
      [lotteryDraw, ["--pool", at("dup.csv"), "--seed", "1", "--out", at("dup")]],
    ] as const) {
      const r = await run(cmd, argv)
      expect(r.code).toBe(1)
      expect(r.err).toContain("line 5: duplicate id A2 (first on line 3)")
    }
  })

  it("usage errors exit 2", async () => {
    expect((await run(lotteryDraw, ["--pool", at("pool.csv"), "--seed", "1"])).code).toBe(2)
    expect((await drawTo("u", ["--formats", "pdf"])).code).toBe(2)
    expect((await run(lotteryCommit, ["--pool", at("pool.csv"), "--hash", "md5"])).code).toBe(2)
  })
})

describe("anju lottery exports", () => {
  it("result.xlsx opens and has the same rows as result.csv", async () => {
    const csv = (await text(at("a", "result.csv"))).trimEnd().split("\n")
    const rows = await readXlsx(new Uint8Array(await readFile(at("a", "result.xlsx"))))
    expect(rows).toHaveLength(csv.length)
    expect(rows[0]!.cells).toEqual(["stratum", "rank", "number", "id", "outcome"])
    const fromCsv = csv.slice(1).map((l) => {
      const quoted = /^([^,]*),(\d+),(\d+),"((?:[^"]|"")*)",(\w+)$/u.exec(l)
      return quoted === null
        ? l.split(",")
        : [quoted[1], quoted[2], quoted[3], quoted[4]!.replaceAll('""', '"'), quoted[5]]
    })
    expect(rows.slice(1).map((r) => r.cells)).toEqual(fromCsv)
    expect(fromCsv.some((c) => c[3] === 'Q&<"7>,x')).toBe(true)
  })

  it("result.xml is well-formed and lists the same rows in the same order", async () => {
    const xml = await text(at("a", "result.xml"))
    const t = JSON.parse(await text(at("a", "transcript.json")))
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<lotteryResult ')).toBe(true)
    expect(xml).toContain(`poolRoot="${t.poolRoot}"`)
    expect(xml.trimEnd().endsWith("</lotteryResult>")).toBe(true)
    // Structure: every line is one known element; stratum elements open and close in turn.
    const body = xml.trimEnd().split("\n").slice(2, -1)
    let open = false
    let stratum = ""
    const entries: Array<Array<string>> = []
    const unescapeXml = (s: string) =>
      s.replace(
        /&(lt|gt|quot|apos|amp);/gu,
        (_, e: string) => ({ lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" })[e]!,
      )
    for (const line of body) {
      const st = /^ {2}<stratum name="([^"<&]*)" entrants="\d+"(?: units="\d+")? winners="\d+">$/u.exec(line)
      const en =
        /^ {4}<entry rank="(\d+)" number="(\d+)" id="((?:[^"<&]|&(?:lt|gt|quot|apos|amp);)*)" outcome="(winner|waiting)"\/>$/u.exec(
          line,
        )
      if (st !== null) {
        expect(open).toBe(false)
        open = true
        stratum = st[1]!
      } else if (line === "  </stratum>") {
        expect(open).toBe(true)
        open = false
      } else {
        expect(en, line).not.toBeNull()
        expect(open).toBe(true)
        entries.push([stratum, en![1]!, en![2]!, unescapeXml(en![3]!), en![4]!])
      }
    }
    expect(open).toBe(false)
    const rows = await readXlsx(new Uint8Array(await readFile(at("a", "result.xlsx"))))
    expect(entries).toEqual(rows.slice(1).map((r) => r.cells))
  })
})

describe("anju lottery proof / check-proof", () => {
  it("a proof round-trips against the committed root; another id or root fails", async () => {
    const root = (await run(lotteryCommit, ["--pool", at("pool.csv")])).out.trim()
    const p = await run(lotteryProof, ["--pool", at("pool.csv"), "--id", "A00042"])
    expect(p.code).toBe(0)
    const proof = JSON.parse(p.out)
    expect(proof).toMatchObject({ id: "A00042", stratum: "P1-2R", poolRoot: root, treeSize: 321 })
    // The family keeps only its own proof: drop the informative fields to show they are not needed.
    const { id: _id, stratum: _s, poolRoot: _r, ...bare } = proof
    await writeFile(at("proof.json"), JSON.stringify(bare))
    const ok = await run(lotteryCheckProof, [
      "--proof",
      at("proof.json"),
      "--root",
      root,
      "--id",
      "A00042",
      "--stratum",
      "P1-2R",
    ])
    expect(ok).toMatchObject({ code: 0 })
    expect(ok.out).toContain("included")
    for (const argv of [
      ["--root", root, "--id", "A00043", "--stratum", "P1-2R"],
      ["--root", root, "--id", "A00042", "--stratum", "P1-3R"],
      ["--root", "00".repeat(32), "--id", "A00042", "--stratum", "P1-2R"],
    ])
      expect((await run(lotteryCheckProof, ["--proof", at("proof.json"), ...argv])).code).toBe(1)
    await writeFile(at("proof-full.json"), p.out)
    expect(
      (await run(lotteryCheckProof, ["--proof", at("proof-full.json"), "--root", root, "--id", "A00042"]))
        .code,
    ).toBe(0)
    const missing = await run(lotteryProof, ["--pool", at("pool.csv"), "--id", "Z9"])
    expect(missing.code).toBe(1)
    expect(missing.err).toContain("EntrantNotInPool")
  })
})

describe("anju lottery draw --sign / --record", () => {
  it("signs with the SM2 key from the environment; verify checks the signature and the expected key", async () => {
    const env = { ANJU_SM2_PRIVATE_KEY: PRIVATE_KEY }
    expect((await drawTo("signed", ["--sign", "--formats", "csv"])).code).toBe(1) // no key configured
    const r = await run(
      lotteryDraw,
      ["--pool", at("pool.csv"), "--seed", "20250601", "--sign", "--formats", "csv", "--out", at("signed")],
      env,
    )
    expect(r.code).toBe(0)
    const t = JSON.parse(await text(at("signed", "transcript.json")))
    expect(t.signature).toMatchObject({
      algorithm: "SM2-SM3",
      userId: "1234567812345678",
      publicKey: PUBLIC_KEY,
    })
    const v = await run(lotteryVerify, [
      "--pool",
      at("pool.csv"),
      "--transcript",
      at("signed", "transcript.json"),
      "--public-key",
      PUBLIC_KEY,
    ])
    expect(v.code).toBe(0)
    await writeFile(at("forged.json"), JSON.stringify({ ...t, title: "改过" }))
    const f = await run(lotteryVerify, ["--pool", at("pool.csv"), "--transcript", at("forged.json")])
    expect(f.code).toBe(1)
    expect(f.err).toContain("SignatureInvalid")
  })

  it("--record enforces run-once through the LotteryStore; an annulment with a reason re-opens the pool", async () => {
    const data = ["--data-dir", at("pglite")]
    const first = await drawTo("r1", ["--record", "--formats", "csv", ...data])
    expect(first.code).toBe(0)
    const drawId = /draw id: (\S+)/u.exec(first.out)?.[1] ?? ""
    expect(drawId).toMatch(/^LD-/u)
    const again = await drawTo("r2", ["--record", "--formats", "csv", "--hash", "sha256", ...data])
    expect(again.code).toBe(1)
    expect(again.err).toContain(`PoolAlreadyDrawn`)
    expect(again.err).toContain(drawId)
    expect((await run(lotteryAnnul, ["--draw", drawId, "--reason", "重摇", ...data])).code).toBe(1)
    const annul = await run(lotteryAnnul, ["--draw", drawId, "--reason", "公证员未到场，依规作废", ...data])
    expect(annul.code).toBe(0)
    expect((await drawTo("r3", ["--record", "--formats", "csv", ...data])).code).toBe(0)
  }, 60_000)
})
