// The shared hash chain (fund journal, audit log): chaining numbers and links records; the walk judges each
// link against its stored predecessor, so one deletion is one seq-gap and one altered record one
// hash-mismatch (the walk resynchronises), and `stopAtFirst` stops at the first bad link with the good count.
import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { chainAfter, EMPTY_HEAD, type Encode, GENESIS_HASH, type Link, walkChain } from "./HashChain.js"

const encode: Encode<string> = (seq, prev, entry) => `test/v1\n${seq}\n${prev}\n${JSON.stringify(entry)}`

describe("HashChain", () => {
  it("chains after a head and an untouched chain walks clean", () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 12 }), (entries) => {
        const links = chainAfter(encode, EMPTY_HEAD, entries)
        expect(links.map((l) => l.seq)).toEqual(entries.map((_, i) => i + 1))
        links.forEach((l, i) => {
          expect(l.prevHash).toBe(i === 0 ? GENESIS_HASH : links[i - 1]!.hash)
        })
        const walk = walkChain(encode, links)
        expect(walk.findings).toEqual([])
        expect(walk.walked).toBe(entries.length)
        expect(walk.last).toEqual(
          links.length === 0 ? EMPTY_HEAD : { seq: links.length, hash: links.at(-1)!.hash },
        )
      }),
      { numRuns: 30 },
    )
  })

  it("one deletion is one seq-gap, one alteration one hash-mismatch, each at its place", () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 3, maxLength: 10 }), fc.nat(), (entries, k) => {
        const links = chainAfter(encode, EMPTY_HEAD, entries)
        const i = 1 + (k % (links.length - 2))
        const cut = links.filter((_, j) => j !== i)
        expect(walkChain(encode, cut).findings.map((f) => [f.problem, f.link.seq, f.expectedSeq])).toEqual([
          ["seq-gap", i + 2, i + 1],
        ])
        const altered: Link<string>[] = links.map((l, j) => (j === i ? { ...l, entry: `${l.entry}!` } : l))
        const walk = walkChain(encode, altered)
        expect(walk.findings.map((f) => [f.problem, f.link.seq])).toEqual([["hash-mismatch", i + 1]])
        const first = walkChain(encode, altered, { stopAtFirst: true })
        expect(first.walked).toBe(i)
        expect(first.findings[0]!.expectedPrevHash).toBe(links[i - 1]!.hash)
      }),
      { numRuns: 30 },
    )
  })
})
