/**
 * The one layout of every document (文书版式): A4 portrait, header with issuer and document number,
 * title, blocks flowed top to bottom with page breaks, "第 i 页 共 n 页" on every page, and the QR code
 * of the public verification page on the first. Text is drawn as text in embedded CJK subsets (a base
 * subset of the templates' fixed text, reused, plus one for the document's other characters); QR codes
 * are vector squares; each seal place becomes an empty signature field named by its role, which the
 * sealer fills. Output depends only on the layout and the public base URL.
 */
import { deflateSync } from "node:zlib"
import {
  PDFArray,
  type PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  type PDFPage,
  PDFRawStream,
  PDFString,
} from "pdf-lib"
import QRCode from "qrcode"
import { type DocumentLayout, verificationPath } from "../../domain/documents/Document.js"
import { baseSubset, drawable, embedSubset, type PreparedSubset, prepareSubset } from "./CjkFontSubset.js"

export const A4 = { width: 595.28, height: 841.89 } as const
const MARGIN = { left: 64, right: 64, top: 96, bottom: 72 } as const
const BODY = 11
const LEADING = 18
type Colour = readonly [number, number, number]
const TEXT: Colour = [0.1, 0.1, 0.1]
const GREY: Colour = [0.4, 0.4, 0.4]
/** Size of a seal place (the seal picture is drawn inside it when sealed). */
export const SEAL_BOX = 120

/** A character the font has no glyph for: refused rather than printed as an empty box. */
export class UnrenderableText extends Error {
  override readonly name = "UnrenderableText"
}

const n = (v: number) => (Math.round(v * 100) / 100).toString()

/** The two subsets of one document and how to measure and show text in them. */
class Fonts {
  constructor(
    readonly base: PreparedSubset,
    readonly extra: PreparedSubset | undefined,
  ) {}
  private subsetOf(cp: number): "F1" | "F2" {
    return this.base.cids.has(cp) ? "F1" : "F2"
  }
  private sub(key: "F1" | "F2"): PreparedSubset {
    return key === "F1" ? this.base : this.extra!
  }
  /** Width of `s` at `size` points. */
  width(s: string, size: number): number {
    let w = 0
    for (const ch of s) {
      const cp = ch.codePointAt(0)!
      w += this.sub(this.subsetOf(cp)).widths.get(cp) ?? 0
    }
    return (w * size) / 1000
  }
  /** Operators showing `s` with its baseline starting at (x, y). */
  show(s: string, x: number, y: number, size: number, [r, g, b]: Colour): string {
    const runs: Array<string> = []
    let cx = x
    let key: "F1" | "F2" | undefined
    let hex = ""
    let start = x
    const flush = () => {
      if (key !== undefined && hex !== "")
        runs.push(`/${key} ${size} Tf 1 0 0 1 ${n(start)} ${n(y)} Tm <${hex}> Tj`)
      hex = ""
    }
    for (const ch of s) {
      const cp = ch.codePointAt(0)!
      const k = this.subsetOf(cp)
      if (k !== key) {
        flush()
        key = k
        start = cx
      }
      const sub = this.sub(k)
      hex += (sub.cids.get(cp) ?? 0).toString(16).padStart(4, "0")
      cx += ((sub.widths.get(cp) ?? 0) * size) / 1000
    }
    flush()
    return runs.length === 0 ? "" : `BT ${r} ${g} ${b} rg ${runs.join(" ")} ET`
  }
}

const extras = new Map<string, PreparedSubset>()
/** The subset for characters outside the base subset (kept for recurring sets, e.g. the same names). */
const extraSubset = (cps: ReadonlyArray<number>): PreparedSubset => {
  const key = cps.join(",")
  let s = extras.get(key)
  if (s === undefined) {
    s = prepareSubset(cps)
    if (extras.size >= 256) extras.delete(extras.keys().next().value!)
    extras.set(key, s)
  }
  return s
}

/** Every string the layout will print, for choosing the subsets before drawing. */
const textsOf = (layout: DocumentLayout, publicBaseUrl: string): Array<string> => [
  layout.title,
  layout.issuer,
  layout.number,
  publicBaseUrl,
  ...layout.blocks.flatMap((b): ReadonlyArray<string> => {
    if (b._tag === "Heading" || b._tag === "Paragraph") return [b.text]
    if (b._tag === "Fields") return b.rows.flat()
    if (b._tag === "Clauses") return b.items
    if (b._tag === "Qr") return [b.caption, b.path]
    return b.places.flatMap((p) => [p.label, p.name])
  }),
]

const fontsFor = (layout: DocumentLayout, publicBaseUrl: string): Fonts => {
  const base = baseSubset()
  const missing = new Set<number>()
  for (const t of textsOf(layout, publicBaseUrl))
    for (const ch of t) {
      const cp = ch.codePointAt(0)!
      if (base.cids.has(cp)) continue
      if (cp < 0x20) continue
      if (!drawable(cp))
        throw new UnrenderableText(
          `U+${cp.toString(16).toUpperCase().padStart(4, "0")} "${ch}" is not in the font`,
        )
      missing.add(cp)
    }
  return new Fonts(base, missing.size === 0 ? undefined : extraSubset([...missing].sort((a, b) => a - b)))
}

/** Breaks `text` into lines no wider than `width` (CJK breaks anywhere; Latin runs are kept whole when they fit). */
export const wrap = (fonts: Fonts, text: string, size: number, width: number): Array<string> => {
  const tokens = text.match(/[A-Za-z0-9.,:;/@_%+\-()（）]+|./gsu) ?? []
  const lines: Array<string> = []
  let line = ""
  let w = 0
  for (const t of tokens) {
    const tw = fonts.width(t, size)
    if (line !== "" && w + tw > width) {
      lines.push(line)
      line = t.trimStart()
      w = fonts.width(line, size)
    } else {
      line += t
      w += tw
    }
  }
  if (line !== "" || lines.length === 0) lines.push(line)
  return lines
}

/** Operators of a QR code of `text` (dark squares, runs per row), `size` points square, bottom-left at (x, y). */
export const qrOperators = (text: string, x: number, y: number, size: number): string => {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" })
  const count = modules.size
  const quiet = 2
  const m = size / (count + 2 * quiet)
  const ops = ["q 0 0 0 rg"]
  for (let r = 0; r < count; r++) {
    let c = 0
    while (c < count) {
      if (modules.get(r, c) === 0) {
        c++
        continue
      }
      const start = c
      while (c < count && modules.get(r, c) !== 0) c++
      ops.push(
        `${n(x + (quiet + start) * m)} ${n(y + size - (quiet + r + 1) * m)} ${n((c - start) * m)} ${n(m)} re`,
      )
    }
  }
  ops.push("f Q")
  return ops.join("\n")
}

interface Cursor {
  page: PDFPage
  y: number
}

/** Renders `layout`; `publicBaseUrl` prefixes the paths of QR codes (no trailing slash). */
export const renderLayout = async (layout: DocumentLayout, publicBaseUrl: string): Promise<Uint8Array> => {
  const fonts = fontsFor(layout, publicBaseUrl)
  const doc = await PDFDocument.create({ updateMetadata: false })
  doc.setTitle(`${layout.title} ${layout.number}`)
  doc.setSubject(layout.kind)
  doc.setCreator("anju")
  doc.setProducer("anju (pdf-lib)")
  const width = A4.width - MARGIN.left - MARGIN.right
  const pages: Array<{ page: PDFPage; ops: Array<string> }> = []
  const opsOf = (page: PDFPage) => pages.find((p) => p.page === page)!.ops
  const newPage = (): Cursor => {
    const page = doc.addPage([A4.width, A4.height])
    pages.push({ page, ops: [] })
    return { page, y: A4.height - MARGIN.top }
  }
  const text = (c: Cursor, s: string, x: number, size = BODY, colour = TEXT) => {
    opsOf(c.page).push(fonts.show(s, x, c.y, size, colour))
  }
  let cur = newPage()
  const need = (h: number) => {
    if (cur.y - h < MARGIN.bottom) cur = newPage()
  }
  const paragraph = (s: string, indent = 0, firstPrefix = "") => {
    const prefixWidth = firstPrefix === "" ? 0 : fonts.width(firstPrefix, BODY)
    const lines = wrap(fonts, s, BODY, width - indent - prefixWidth)
    lines.forEach((l, i) => {
      need(LEADING)
      if (i === 0 && firstPrefix !== "") text(cur, firstPrefix, MARGIN.left + indent)
      text(cur, l, MARGIN.left + indent + prefixWidth)
      cur.y -= LEADING
    })
  }

  // Title and the verification QR on the first page.
  const verifyUrl = `${publicBaseUrl}${verificationPath(layout.number)}`
  const qrSize = 64
  opsOf(cur.page).push(
    qrOperators(verifyUrl, A4.width - MARGIN.right - qrSize, A4.height - 40 - qrSize, qrSize),
  )
  cur.y = A4.height - MARGIN.top - 10
  text(cur, layout.title, (A4.width - fonts.width(layout.title, 18)) / 2, 18)
  cur.y -= 36

  for (const b of layout.blocks) {
    switch (b._tag) {
      case "Heading":
        need(LEADING * 2)
        cur.y -= 4
        text(cur, b.text, MARGIN.left, 12.5)
        cur.y -= LEADING + 2
        break
      case "Paragraph":
        paragraph(b.text)
        cur.y -= 4
        break
      case "Fields":
        for (const [label, value] of b.rows) {
          const lines = wrap(fonts, value, BODY, width - 140)
          need(LEADING * lines.length)
          text(cur, label, MARGIN.left + 12, BODY, GREY)
          for (const l of lines) {
            text(cur, l, MARGIN.left + 152)
            cur.y -= LEADING
          }
        }
        cur.y -= 4
        break
      case "Clauses":
        b.items.forEach((item, i) => {
          paragraph(item, 12, `${i + 1}. `)
        })
        cur.y -= 4
        break
      case "Qr": {
        const size = 84
        need(size + 8)
        opsOf(cur.page).push(
          qrOperators(`${publicBaseUrl}${b.path}`, MARGIN.left + 8, cur.y - size + 10, size),
        )
        text({ page: cur.page, y: cur.y - size / 2 + 6 }, b.caption, MARGIN.left + size + 20, BODY, GREY)
        text(
          { page: cur.page, y: cur.y - size / 2 - 10 },
          `${publicBaseUrl}${b.path}`,
          MARGIN.left + size + 20,
          8,
          GREY,
        )
        cur.y -= size + 8
        break
      }
      case "Seals": {
        need(SEAL_BOX + LEADING * 3)
        cur.y -= 8
        const column = width / Math.max(b.places.length, 1)
        b.places.forEach((p, i) => {
          const x = MARGIN.left + i * column
          text(cur, p.label, x, BODY)
          text({ page: cur.page, y: cur.y - LEADING }, p.name, x, BODY, GREY)
          addSealField(doc, cur.page, p.role, p.label, [
            x,
            cur.y - LEADING * 1.5 - SEAL_BOX,
            SEAL_BOX,
            SEAL_BOX,
          ])
        })
        cur.y -= SEAL_BOX + LEADING * 2.5
        break
      }
    }
  }

  const base = embedSubset(doc, fonts.base)
  const extra = fonts.extra === undefined ? undefined : embedSubset(doc, fonts.extra)
  const total = pages.length
  pages.forEach(({ page, ops }, i) => {
    text({ page, y: A4.height - 48 }, layout.issuer, MARGIN.left, 9, GREY)
    text({ page, y: A4.height - 60 }, `文书编号 ${layout.number}`, MARGIN.left, 9, GREY)
    const footer = `第 ${i + 1} 页 共 ${total} 页`
    text({ page, y: 36 }, footer, (A4.width - fonts.width(footer, 9)) / 2, 9, GREY)
    if (i === 0)
      text(
        { page, y: A4.height - 40 - qrSize - 10 },
        "扫码核验",
        A4.width - MARGIN.right - qrSize + 14,
        8,
        GREY,
      )
    const contents = deflateSync(Buffer.from(ops.join("\n"), "latin1"))
    page.node.set(
      PDFName.of("Contents"),
      doc.context.register(PDFRawStream.of(doc.context.obj({ Filter: "FlateDecode" }), contents)),
    )
    page.node.set(
      PDFName.of("Resources"),
      doc.context.obj({ Font: extra === undefined ? { F1: base } : { F1: base, F2: extra } }),
    )
  })
  return doc.save({ useObjectStreams: false })
}

/** The AcroForm of `doc`, created (indirect, with an empty /Fields) when absent. */
export const acroFormOf = (doc: PDFDocument): PDFDict => {
  const ref = doc.catalog.get(PDFName.of("AcroForm"))
  if (ref !== undefined) return doc.context.lookup(ref) as PDFDict
  const form = doc.context.obj({ Fields: [] })
  doc.catalog.set(PDFName.of("AcroForm"), doc.context.register(form))
  return form
}

/** An empty signature field (merged field and widget) named `role` at `[x, y, w, h]` on `page`. */
export const addSealField = (
  doc: PDFDocument,
  page: PDFPage,
  role: string,
  label: string,
  [x, y, w, h]: readonly [number, number, number, number],
) => {
  const widget = doc.context.obj({
    Type: "Annot",
    Subtype: "Widget",
    FT: "Sig",
    T: PDFString.of(role),
    TU: PDFHexString.fromText(label),
    Rect: [x, y, x + w, y + h],
    F: 4,
    P: page.ref,
  })
  const ref = doc.context.register(widget)
  page.node.addAnnot(ref)
  const form = acroFormOf(doc)
  form.lookup(PDFName.of("Fields"), PDFArray).push(ref)
  return ref
}
