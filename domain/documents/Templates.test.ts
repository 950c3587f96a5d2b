// Document templates as data: every kind fills from its slots; a slot the facts lack fails naming it;
// rent in fen prints as yuan, areas in hundredths of m² as m², dates as 年月日; numbers follow
// `HT-20261204-000123` and the verification path is /documents/{number}.
import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import fc from "fast-check"
import type { CivilDate } from "../values/CivilDate.js"
import type { Money } from "../values/Money.js"
import { DOCUMENT_KINDS, makeDocumentNumber, parseDocumentNumber, verificationPath } from "./Document.js"
import { chineseDate, fill, squareMetres, TEMPLATES, yuan } from "./Templates.js"

const DAY = "2026-12-04" as CivilDate

describe("document templates", () => {
  it("numbers documents by kind, date and serial; the verification path carries the number", () => {
    const n = Result.getOrThrow(makeDocumentNumber("lease-contract", DAY, 123))
    expect(n).toBe("HT-20261204-000123")
    expect(verificationPath(n)).toBe("/documents/HT-20261204-000123")
    expect(Result.isSuccess(parseDocumentNumber(n))).toBe(true)
    expect(Result.isFailure(makeDocumentNumber("lease-contract", DAY, 0))).toBe(true)
    expect(Result.isFailure(parseDocumentNumber("HT-2026-1"))).toBe(true)
  })

  it("formats fen as yuan, hundredths of m² as m², civil dates as 年月日", () => {
    expect(yuan(185000 as Money)).toBe("1850.00")
    expect(yuan(126050 as Money)).toBe("1260.50")
    expect(squareMetres(6235)).toBe("62.35")
    expect(squareMetres(4180)).toBe("41.80")
    expect(chineseDate(DAY)).toBe("2026年12月04日")
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 12 }), (fen) => {
        expect(Math.round(Number(yuan(fen as Money)) * 100)).toBe(fen)
      }),
      { seed: 13, numRuns: 200 },
    )
  })

  it("fails naming the first slot a template needs and the facts lack", () => {
    for (const kind of DOCUMENT_KINDS) {
      const number = Result.getOrThrow(makeDocumentNumber(kind, DAY, 1))
      const r = fill(kind, { number, issuer: "某机构", issuedOn: DAY }, { text: {} })
      expect(Result.isFailure(r)).toBe(true)
      if (Result.isFailure(r)) {
        expect(r.failure.field).toMatch(/^slots\.[A-Za-z]+$/u)
        expect(r.failure.rule).toBe("document-template")
      }
    }
  })

  it("every template's slots filled gives blocks with no placeholder left and a seal place", () => {
    for (const kind of DOCUMENT_KINDS) {
      const slots = new Set(
        JSON.stringify(TEMPLATES[kind])
          .match(/\{[A-Za-z]+\}/gu)!
          .map((s) => s.slice(1, -1)),
      )
      const text = Object.fromEntries([...slots].map((s) => [s, `<${s}>`]))
      const number = Result.getOrThrow(makeDocumentNumber(kind, DAY, 1))
      const layout = Result.getOrThrow(fill(kind, { number, issuer: "某机构", issuedOn: DAY }, { text }))
      expect(JSON.stringify(layout)).not.toMatch(/\{[A-Za-z]+\}/u)
      expect(layout.blocks.some((b) => b._tag === "Seals")).toBe(true)
    }
  })
})
