/**
 * Contract suite for the DocumentRenderer port: every document kind renders to a PDF (`%PDF-` … `%%EOF`);
 * the same layout renders to the same bytes; the document number is in the file; a character the font
 * cannot draw is refused as `Unrenderable`, never printed as a blank box. Run with `suite(name, layer)`.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import { DocumentRenderer } from "../application/ports/DocumentRenderer.js"
import { LEASE, OTHER_DOCUMENTS } from "./DocumentFixtures.js"

const latin1 = (b: Uint8Array) => Buffer.from(b).toString("latin1")

export const suite = (name: string, layer: Layer.Layer<DocumentRenderer>) =>
  describe(`DocumentRenderer contract: ${name}`, () => {
    it.effect("renders every kind as a PDF, the same bytes for the same layout", () =>
      Effect.gen(function* () {
        const r = yield* DocumentRenderer
        for (const layout of [LEASE, ...OTHER_DOCUMENTS]) {
          const pdf = yield* r.render(layout)
          expect(latin1(pdf.subarray(0, 5))).toBe("%PDF-")
          expect(latin1(pdf.subarray(-7))).toMatch(/%%EOF\s*$/u)
        }
        const a = yield* r.render(LEASE)
        const b = yield* r.render(LEASE)
        expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true)
      }).pipe(Effect.provide(layer)),
    )

    it.effect("refuses a character the font lacks, naming it", () =>
      Effect.gen(function* () {
        const r = yield* DocumentRenderer
        const e = yield* Effect.flip(
          r.render({ ...LEASE, blocks: [...LEASE.blocks, { _tag: "Paragraph", text: "印章\u{1F600}" }] }),
        )
        expect(e.reason._tag).toBe("Unrenderable")
        expect(e.message).toContain("U+1F600")
        expect(e.isRetryable).toBe(false)
      }).pipe(Effect.provide(layer)),
    )
  })
