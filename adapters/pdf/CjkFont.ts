/**
 * The CJK font of every PDF: Noto Sans SC Regular from `@expo-google-fonts/noto-sans-sc` (SIL Open Font
 * License 1.1, see docs/licences/NotoSansSC-OFL.txt), read and parsed once per process with upstream
 * fontkit 2.0.4. Subsets are made and embedded by CjkFontSubset.ts, not by pdf-lib's embedder (which
 * needs `@pdf-lib/fontkit`, known to corrupt Chinese subsets, or a shim, and re-subsets and re-compresses
 * the font for every document with pako: ~15 ms a contract).
 */
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import * as fontkit from "fontkit"

const require = createRequire(import.meta.url)

/** Path of the font file inside the installed package. */
export const FONT_PATH: string = require.resolve(
  "@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf",
)

export interface FontkitGlyph {
  readonly id: number
  readonly advanceWidth: number
  readonly path: {
    readonly commands: ReadonlyArray<{ readonly command: string; readonly args: ReadonlyArray<number> }>
  }
}
export interface FontkitSubset {
  /** Adds a glyph; answers its id in the subset (0 is .notdef). */
  readonly includeGlyph: (g: FontkitGlyph) => number
  /** The subset as a TrueType font program. */
  readonly encode: () => Uint8Array
}
/** The parts of a fontkit font the PDF adapters use. */
export interface FontkitFont {
  readonly unitsPerEm: number
  readonly ascent: number
  readonly descent: number
  readonly capHeight: number
  readonly bbox: {
    readonly minX: number
    readonly minY: number
    readonly maxX: number
    readonly maxY: number
  }
  readonly characterSet: ReadonlyArray<number>
  readonly glyphForCodePoint: (cp: number) => FontkitGlyph
  readonly createSubset: () => FontkitSubset
}

let parsed: FontkitFont | undefined
/** The parsed font (~100 ms the first time). */
export const cjkFont = (): FontkitFont => {
  if (parsed === undefined) {
    const font = fontkit.create(readFileSync(FONT_PATH))
    if ("fonts" in font) throw new Error(`${FONT_PATH} is a font collection, not one font`)
    // The narrow view this module uses (@types/fontkit types the subset's encode() loosely).
    parsed = font as unknown as FontkitFont
  }
  return parsed
}

/** A subset tag (six letters A–Z, ISO 32000-1 §9.6.4) derived from `seed`: the same subset, the same tag. */
export const subsetTag = (seed: string): string =>
  Array.from(createHash("sha256").update(seed).digest().subarray(0, 6), (b) =>
    String.fromCharCode(65 + (b % 26)),
  ).join("")
