/**
 * The CJK font embedded by hand as a Type0/CIDFontType2 font (ISO 32000-1 §9.7), so that its subsets can
 * be reused: the glyphs of every template's fixed text form a base subset encoded and compressed once per
 * process; each document adds a small subset for its other characters (names, addresses). Each subset
 * has its tag (`ABCDEF+NotoSansSC-Regular`), widths, Identity-H encoding with CID = subset glyph id, and
 * a ToUnicode map, so text stays extractable. Compression is Node's zlib (native), not pdf-lib's pako.
 */
import { deflateSync } from "node:zlib"
import { type PDFDocument, PDFName, PDFRawStream, type PDFRef, PDFString } from "pdf-lib"
import { TEMPLATES } from "../../domain/documents/Templates.js"
import { cjkFont, subsetTag } from "./CjkFont.js"

const font = cjkFont

/** A subset ready to embed: CIDs per code point, widths (1/1000 em), compressed font program and CMap. */
export interface PreparedSubset {
  readonly name: string
  readonly cids: ReadonlyMap<number, number>
  /** Width per code point, in 1/1000 em. */
  readonly widths: ReadonlyMap<number, number>
  readonly program: Uint8Array
  readonly programLength: number
  readonly toUnicode: Uint8Array
  /** Widths of CIDs 1, 2, … (1/1000 em), for the /W array `[1 [w1 w2 …]]`. */
  readonly cidWidths: ReadonlyArray<number>
}

const hex4 = (n: number) => n.toString(16).padStart(4, "0")

/** A subset of the code points in `chars` (each once; code points without a glyph are left out). */
export const prepareSubset = (chars: Iterable<number>): PreparedSubset => {
  const f = font()
  const subset = f.createSubset()
  const cids = new Map<number, number>()
  const widths = new Map<number, number>()
  const byCid: Array<[number, number, number]> = []
  const scale = 1000 / f.unitsPerEm
  for (const cp of [...new Set(chars)].sort((a, b) => a - b)) {
    const g = f.glyphForCodePoint(cp)
    if (g.id === 0) continue
    const cid = subset.includeGlyph(g)
    const w = Math.round(g.advanceWidth * scale)
    cids.set(cp, cid)
    widths.set(cp, w)
    byCid.push([cid, cp, w])
  }
  byCid.sort((a, b) => a[0] - b[0])
  const raw = subset.encode()
  const blocks: Array<string> = []
  for (let i = 0; i < byCid.length; i += 100) {
    const part = byCid.slice(i, i + 100)
    blocks.push(
      `${part.length} beginbfchar\n${part.map(([cid, cp]) => `<${hex4(cid)}> <${Buffer.from(String.fromCodePoint(cp), "utf16le").swap16().toString("hex")}>`).join("\n")}\nendbfchar`,
    )
  }
  const cmap = [
    "/CIDInit /ProcSet findresource begin",
    "12 dict begin",
    "begincmap",
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
    "/CMapName /Adobe-Identity-UCS def",
    "/CMapType 2 def",
    "1 begincodespacerange",
    "<0000> <ffff>",
    "endcodespacerange",
    ...blocks,
    "endcmap",
    "CMapName currentdict /CMap defineresource pop",
    "end",
    "end",
  ].join("\n")
  const seed = byCid.map(([, cp]) => cp).join(",")
  return {
    name: `${subsetTag(seed)}+NotoSansSC-Regular`,
    cids,
    widths,
    program: deflateSync(raw),
    programLength: raw.length,
    toUnicode: deflateSync(Buffer.from(cmap, "latin1")),
    cidWidths: Array.from({ length: byCid.reduce((m, [cid]) => Math.max(m, cid), 0) }, (_, i) => {
      const hit = byCid.find(([cid]) => cid === i + 1)
      return hit === undefined ? 0 : hit[2]
    }),
  }
}

/** Every character of the templates' fixed text, digits, ASCII and the layout's own words. */
const BASE_TEXT = `${JSON.stringify(TEMPLATES)} !"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_\`abcdefghijklmnopqrstuvwxyz{|}~第页共文书编号扫码核验房源码人民币元平方米年月日室厅（）：；，。、上海市区路号弄座楼`

let base: PreparedSubset | undefined
/** The base subset (built once per process). */
export const baseSubset = (): PreparedSubset => {
  base ??= prepareSubset(Array.from(BASE_TEXT, (c) => c.codePointAt(0)!))
  return base
}

/** Code points the font has a glyph for (for refusing undrawable text). */
export const drawable = (cp: number): boolean => {
  charset ??= new Set(font().characterSet)
  return charset.has(cp)
}
let charset: Set<number> | undefined

/** Registers the Type0 font of `s` in `doc`; answers the font dictionary's reference. */
export const embedSubset = (doc: PDFDocument, s: PreparedSubset): PDFRef => {
  const ctx = doc.context
  const f = font()
  const scale = 1000 / f.unitsPerEm
  const program = ctx.register(
    PDFRawStream.of(ctx.obj({ Filter: "FlateDecode", Length1: s.programLength }), s.program),
  )
  const descriptor = ctx.register(
    ctx.obj({
      Type: "FontDescriptor",
      FontName: s.name,
      Flags: 4,
      FontBBox: [f.bbox.minX * scale, f.bbox.minY * scale, f.bbox.maxX * scale, f.bbox.maxY * scale].map(
        Math.round,
      ),
      ItalicAngle: 0,
      Ascent: Math.round(f.ascent * scale),
      Descent: Math.round(f.descent * scale),
      CapHeight: Math.round((f.capHeight || f.ascent) * scale),
      StemV: 80,
      FontFile2: program,
    }),
  )
  const cidFont = ctx.obj({
    Type: "Font",
    Subtype: "CIDFontType2",
    BaseFont: s.name,
    CIDSystemInfo: { Registry: PDFString.of("Adobe"), Ordering: PDFString.of("Identity"), Supplement: 0 },
    FontDescriptor: descriptor,
    CIDToGIDMap: "Identity",
  })
  cidFont.set(PDFName.of("W"), ctx.obj([1, [...s.cidWidths]]))
  const cmap = ctx.register(PDFRawStream.of(ctx.obj({ Filter: "FlateDecode" }), s.toUnicode))
  return ctx.register(
    ctx.obj({
      Type: "Font",
      Subtype: "Type0",
      BaseFont: s.name,
      Encoding: "Identity-H",
      DescendantFonts: [ctx.register(cidFont)],
      ToUnicode: cmap,
    }),
  )
}
