/**
 * The test vector printed in docs/lottery.md §12 (R53, R55) is recomputed here from the pool and units
 * shown in the document: every `key = value` line, the result.csv block and the canonical transcript.
 * (It was also reproduced by an independent implementation written from the document alone.)
 */
import { readFileSync } from "node:fs"
import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { type Digest, pureSha256, pureSm3, toHex } from "./Digest.js"
import { draw } from "./Draw.js"
import { HashCounterDrbg, stratumKey } from "./Drbg.js"
import { leafHash } from "./MerkleTree.js"
import { encodeEntrant, freezePool } from "./Pool.js"
import { parsePoolCsv, parseUnitsCsv } from "./PoolCsv.js"
import { combineSeed } from "./Seed.js"
import { encodeTranscript } from "./Transcript.js"

const doc = readFileSync(new URL("../../docs/lottery.md", import.meta.url), "utf8")
const section = doc.slice(doc.indexOf("## 12. Test vector"))
const fenced = (after: string, lang: string): string => {
  const at = section.indexOf(after)
  const open = section.indexOf(`\`\`\`${lang}\n`, at)
  return section.slice(open + lang.length + 4, section.indexOf("```", open + 3))
}
const csvBlocks = [...section.matchAll(/```csv\n([\s\S]*?)```/gu)].map((m) => m[1]!)
const vector = new Map(
  fenced("<!-- vector:begin -->", "text")
    .trim()
    .split("\n")
    .map((l) => l.split(" = ") as [string, string]),
)

describe("docs/lottery.md test vector (R53, R55)", () => {
  const pool = Result.getOrThrow(parsePoolCsv(csvBlocks[0]!))
  const units = Result.getOrThrow(parseUnitsCsv(csvBlocks[1]!))
  const seedSources = [{ kind: "digits", digits: "20250601" }] as const

  it("states the entrant encoding", () => {
    expect(section).toContain(`\`E(P1-2R, A0001)\` = \`${toHex(encodeEntrant(pool.entrants[0]!))}\``)
  })

  it.each([
    ["sm3", pureSm3],
    ["sha256", pureSha256],
  ] as const)("every %s value recomputes", (p, d: Digest) => {
    const computed = new Map<string, string>()
    for (const e of pool.entrants) computed.set(`${p}.leaf.${e.id}`, toHex(leafHash(d, encodeEntrant(e))))
    const frozen = freezePool(pool, d)
    computed.set(`${p}.order`, Array.from(frozen.order, (i) => pool.entrants[i]!.id).join(" "))
    computed.set(`${p}.root`, toHex(frozen.root))
    const seed = Result.getOrThrow(combineSeed(d, seedSources)).seed
    computed.set(`${p}.seed`, toHex(seed))
    for (const s of frozen.strata) {
      const key = stratumKey(d, frozen.root, seed, s.stratum)
      computed.set(`${p}.key.${s.stratum}`, toHex(key))
      const drbg = new HashCounterDrbg(d, key)
      computed.set(
        `${p}.block0.${s.stratum}`,
        Array.from({ length: 8 }, () => drbg.nextUint32().toString(16).padStart(8, "0")).join(""),
      )
    }
    const result = Result.getOrThrow(draw({ pool, seed: seedSources, units, startNumber: 1, digest: d }))
    for (const s of result.strata) computed.set(`${p}.draw.${s.stratum}`, s.order.join(" "))
    computed.set(`${p}.resultDigest`, result.transcript.resultDigest)
    const documented = [...vector].filter(([k]) => k.startsWith(`${p}.`))
    expect(documented.length).toBe(15)
    for (const [k, v] of documented) expect([k, computed.get(k)]).toEqual([k, v])
  })

  it("result.csv and the canonical transcript match byte for byte", () => {
    const result = Result.getOrThrow(draw({ pool, seed: seedSources, units, startNumber: 1 }))
    expect(new TextDecoder().decode(result.resultCsv)).toBe(fenced("<!-- vector:result-sm3 -->", "csv"))
    expect(`${encodeTranscript(result.transcript)}\n`).toBe(fenced("<!-- vector:transcript-sm3 -->", "json"))
  })
})
