/**
 * A PDF signature appended as an incremental update (ISO 32000-1 §7.5.6, §12.8): the signature field
 * named by the role gets /V (the signature dictionary) and /AP (the seal picture); new and changed
 * objects, an xref section and a trailer with /Prev follow the original bytes, which stay untouched, so
 * earlier signatures remain valid. /ByteRange covers the whole file except the /Contents hex string,
 * which holds the CMS SignedData made by `sign` over the SM3 digest of those ranges.
 */
import { createHash } from "node:crypto"
import { deflateSync } from "node:zlib"
import {
  PDFArray,
  PDFContext,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  type PDFObject,
  PDFObjectParser,
  PDFRef,
  PDFString,
  ParseSpeeds,
} from "pdf-lib"
import { acroFormOf, addSealField, SEAL_BOX } from "./PdfLayout.js"
import { organisationSeal, personSeal } from "./SealPicture.js"

/** Bytes reserved for the CMS SignedData (hex doubles it); one SM2 seal certificate and signature need about 1.1 KiB. */
export const CONTENTS_BYTES = 4096
const BYTE_RANGE_PLACEHOLDER = "[0 0000000000 0000000000 0000000000]"

export class SignatureRefused extends Error {
  override readonly name = "SignatureRefused"
}

export interface SignatureRequest {
  readonly role: string
  readonly name: string
  readonly reason: string
  readonly signingTime: Date
  /** Round organisation seal or square person seal. */
  readonly picture: "organisation" | "person"
  /** Makes the CMS SignedData (DER) for the SM3 digest of the byte range. */
  readonly sign: (digest: Uint8Array) => Uint8Array
}

const latin1 = (s: string) => Buffer.from(s, "latin1")

/** `D:20261204160000+08'00'` in Asia/Shanghai (UTC+8, no daylight saving). */
export const pdfDate = (d: Date): string => {
  const t = new Date(d.getTime() + 8 * 3600_000).toISOString()
  return `D:${t.slice(0, 4)}${t.slice(5, 7)}${t.slice(8, 10)}${t.slice(11, 13)}${t.slice(14, 16)}${t.slice(17, 19)}+08'00'`
}

const appearances = new Map<string, Buffer>()
/** The compressed seal picture; the same holder's seal is drawn and compressed once per process. */
const appearance = (kind: SignatureRequest["picture"], name: string, size: number): Buffer => {
  const key = `${kind}|${size}|${name}`
  let stream = appearances.get(key)
  if (stream === undefined) {
    const picture = kind === "organisation" ? organisationSeal(name, size) : personSeal(name, size)
    stream = deflateSync(Buffer.from(picture, "latin1"))
    if (appearances.size >= 1024) appearances.delete(appearances.keys().next().value!)
    appearances.set(key, stream)
  }
  return stream
}

/** The offset after the last `startxref` keyword (the previous cross-reference section). */
export const lastStartxref = (pdf: Uint8Array): number => {
  const tail = Buffer.from(pdf.subarray(Math.max(0, pdf.length - 2048))).toString("latin1")
  const m = /startxref\s+(\d+)\s+%%EOF\s*$/u.exec(tail)
  if (m === null) throw new SignatureRefused("the file does not end with startxref … %%EOF")
  return Number(m[1])
}

const serialise = (o: PDFObject): Buffer => {
  const b = new Uint8Array(o.sizeInBytes())
  o.copyBytesInto(b, 0)
  return Buffer.from(b)
}

const textOf = (o: PDFObject | undefined): string | undefined =>
  o instanceof PDFString || o instanceof PDFHexString ? o.decodeText() : undefined

/** The field dictionaries (merged with their widgets) of the AcroForm, with their references. */
export const signatureFields = (doc: PDFDocument): Array<{ ref: PDFRef; dict: PDFDict; name: string }> => {
  const formRef = doc.catalog.get(PDFName.of("AcroForm"))
  if (formRef === undefined) return []
  const form = doc.context.lookup(formRef)
  if (!(form instanceof PDFDict)) return []
  const fields = form.lookup(PDFName.of("Fields"))
  if (!(fields instanceof PDFArray)) return []
  const out: Array<{ ref: PDFRef; dict: PDFDict; name: string }> = []
  for (let i = 0; i < fields.size(); i++) {
    const ref = fields.get(i)
    const dict = doc.context.lookup(ref)
    if (ref instanceof PDFRef && dict instanceof PDFDict && dict.get(PDFName.of("FT"))?.toString() === "/Sig")
      out.push({ ref, dict, name: textOf(dict.get(PDFName.of("T"))) ?? "" })
  }
  return out
}

/**
 * Reads only what sealing a prepared field needs — trailer, catalog, AcroForm, fields — through the
 * classic cross-reference tables (the files this platform writes); a full parse costs ~5 ms a seal.
 * Answers undefined for anything else (xref streams, no field named `role`): the caller parses fully.
 */
const readPreparedField = (pdf: Uint8Array, role: string) => {
  const offsets = new Map<number, number>()
  const context = PDFContext.create()
  const bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.length)
  const text = (at: number, length: number) => bytes.toString("latin1", at, at + length)
  let trailer: PDFDict | undefined
  let at: number | undefined = lastStartxref(pdf)
  for (let guard = 0; at !== undefined && guard < 64; guard++) {
    if (text(at, 4) !== "xref") return undefined
    const end: number = bytes.indexOf("trailer", at, "latin1")
    if (end < 0) return undefined
    const lines = text(at + 4, end - at - 4).split(/\r\n|\r|\n/u)
    let num = 0
    for (const line of lines) {
      const sub = /^(\d+) (\d+)\s*$/u.exec(line)
      if (sub !== null) {
        num = Number(sub[1])
        continue
      }
      const entry = /^(\d{10}) (\d{5}) ([nf])/u.exec(line)
      if (entry === null) continue
      if (entry[3] === "n" && !offsets.has(num)) offsets.set(num, Number(entry[1]))
      num++
    }
    const dict: PDFObject = PDFObjectParser.forBytes(
      pdf.subarray(end + "trailer".length),
      context,
    ).parseObject()
    if (!(dict instanceof PDFDict)) return undefined
    trailer ??= dict
    const prev: PDFObject | undefined = dict.get(PDFName.of("Prev"))
    at = prev instanceof PDFNumber ? prev.asNumber() : undefined
  }
  if (trailer === undefined) return undefined
  const load = (ref: PDFObject | undefined): PDFObject | undefined => {
    if (!(ref instanceof PDFRef)) return ref
    const known = context.lookup(ref)
    if (known !== undefined) return known
    const off = offsets.get(ref.objectNumber)
    if (off === undefined) return undefined
    const head = /^\s*\d+\s+\d+\s+obj\s*/u.exec(text(off, 40))
    if (head === null) return undefined
    const obj = PDFObjectParser.forBytes(pdf.subarray(off + head[0].length), context).parseObject()
    context.assign(ref, obj)
    return obj
  }
  const root = trailer.get(PDFName.of("Root"))
  const catalog = load(root)
  if (!(root instanceof PDFRef) || !(catalog instanceof PDFDict)) return undefined
  const formRef = catalog.get(PDFName.of("AcroForm"))
  const form = load(formRef)
  if (!(formRef instanceof PDFRef) || !(form instanceof PDFDict)) return undefined
  const fields = load(form.get(PDFName.of("Fields")))
  if (!(fields instanceof PDFArray)) return undefined
  for (const ref of fields.asArray()) {
    const dict = load(ref)
    if (ref instanceof PDFRef && dict instanceof PDFDict && textOf(dict.get(PDFName.of("T"))) === role) {
      const size = trailer.get(PDFName.of("Size"))
      if (!(size instanceof PDFNumber)) return undefined
      const rect = load(dict.get(PDFName.of("Rect")))
      if (!(rect instanceof PDFArray)) return undefined
      return {
        context,
        field: { ref, dict },
        rect: rect.asRectangle(),
        form,
        formRef,
        catalogRef: root,
        before: size.asNumber() - 1,
        trailer: { Info: trailer.get(PDFName.of("Info")), ID: trailer.get(PDFName.of("ID")) },
      }
    }
  }
  return undefined
}

/** The same answer from a full parse; creates the field (bottom right of the last page) when absent. */
const parseFully = async (pdf: Uint8Array, role: string, changed: Set<PDFRef>) => {
  let doc: PDFDocument
  try {
    doc = await PDFDocument.load(pdf, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest })
  } catch (e) {
    throw new SignatureRefused(`not a readable PDF: ${e instanceof Error ? e.message : String(e)}`)
  }
  const ctx = doc.context
  const catalogRef = ctx.trailerInfo.Root
  if (!(catalogRef instanceof PDFRef)) throw new SignatureRefused("the trailer has no indirect /Root")
  const before = ctx.largestObjectNumber
  let field = signatureFields(doc).find((f) => f.name === role)
  if (field === undefined) {
    const hadForm = doc.catalog.get(PDFName.of("AcroForm")) !== undefined
    const page = doc.getPages().at(-1)
    if (page === undefined) throw new SignatureRefused("the document has no page")
    const annots = page.node.get(PDFName.of("Annots"))
    const { width } = page.getSize()
    const ref = addSealField(doc, page, role, role, [width - 64 - SEAL_BOX, 72, SEAL_BOX, SEAL_BOX])
    if (annots instanceof PDFRef) changed.add(annots)
    else changed.add(page.ref)
    if (!hadForm) changed.add(catalogRef)
    field = { ref, dict: ctx.lookup(ref, PDFDict), name: role }
  }
  const form = acroFormOf(doc)
  const formRef = doc.catalog.get(PDFName.of("AcroForm"))
  return {
    context: ctx,
    field,
    rect: field.dict.lookup(PDFName.of("Rect"), PDFArray).asRectangle(),
    form,
    formRef: formRef instanceof PDFRef ? formRef : catalogRef,
    catalogRef,
    before,
    trailer: { Info: ctx.trailerInfo.Info, ID: ctx.trailerInfo.ID },
  }
}

/** `pdf` with one more signature, as an incremental update. */
export const appendSignature = async (pdf: Uint8Array, req: SignatureRequest): Promise<Uint8Array> => {
  const prev = lastStartxref(pdf)
  const changed = new Set<PDFRef>()
  const p = readPreparedField(pdf, req.role) ?? (await parseFully(pdf, req.role, changed))
  const { context: ctx, field, rect, catalogRef, before } = p
  if (field.dict.get(PDFName.of("V")) !== undefined)
    throw new SignatureRefused(`the ${req.role} field is already signed`)
  p.form.set(PDFName.of("SigFlags"), PDFNumber.of(3))
  changed.add(p.formRef)

  const size = Math.min(rect.width, rect.height)
  const apRef = PDFRef.of(Math.max(ctx.largestObjectNumber, before) + 1)
  const sigRef = PDFRef.of(apRef.objectNumber + 1)
  field.dict.set(PDFName.of("V"), sigRef)
  field.dict.set(PDFName.of("AP"), ctx.obj({ N: apRef }))
  field.dict.set(PDFName.of("F"), PDFNumber.of(4))
  changed.add(field.ref)

  const objects: Array<{ num: number; gen: number; body: Buffer }> = []
  const fresh = new Set<number>()
  for (let num = before + 1; num <= ctx.largestObjectNumber; num++) fresh.add(num)
  for (const num of fresh) {
    const obj = ctx.lookup(PDFRef.of(num))
    if (obj !== undefined) objects.push({ num, gen: 0, body: serialise(obj) })
  }
  for (const ref of changed)
    if (!fresh.has(ref.objectNumber))
      objects.push({ num: ref.objectNumber, gen: ref.generationNumber, body: serialise(ctx.lookup(ref)!) })
  const stream = appearance(req.picture, req.name, size)
  objects.push({
    num: apRef.objectNumber,
    gen: 0,
    body: Buffer.concat([
      latin1(
        `<< /Type /XObject /Subtype /Form /BBox [0 0 ${size.toFixed(2)} ${size.toFixed(2)}] /Resources << >> /Filter /FlateDecode /Length ${stream.length} >>\nstream\n`,
      ),
      stream,
      latin1("\nendstream"),
    ]),
  })
  objects.push({
    num: sigRef.objectNumber,
    gen: 0,
    body: latin1(
      `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange ${BYTE_RANGE_PLACEHOLDER} /Contents <${"0".repeat(CONTENTS_BYTES * 2)}> /M (${pdfDate(req.signingTime)}) /Name ${PDFHexString.fromText(req.name).toString()} /Reason ${PDFHexString.fromText(req.reason).toString()} >>`,
    ),
  })
  objects.sort((a, b) => a.num - b.num)

  // Body, cross-reference section and trailer of the update.
  const parts: Array<Buffer> = [latin1(pdf[pdf.length - 1] === 0x0a ? "" : "\n")]
  let offset = pdf.length + parts[0]!.length
  const offsets = new Map<number, number>()
  for (const o of objects) {
    offsets.set(o.num, offset)
    const chunk = Buffer.concat([latin1(`${o.num} ${o.gen} obj\n`), o.body, latin1("\nendobj\n")])
    parts.push(chunk)
    offset += chunk.length
  }
  const xrefAt = offset
  const xref: Array<string> = ["xref"]
  for (let i = 0; i < objects.length; ) {
    let j = i
    while (j + 1 < objects.length && objects[j + 1]!.num === objects[j]!.num + 1) j++
    xref.push(`${objects[i]!.num} ${j - i + 1}`)
    for (let k = i; k <= j; k++)
      xref.push(
        `${String(offsets.get(objects[k]!.num)).padStart(10, "0")} ${String(objects[k]!.gen).padStart(5, "0")} n\r`,
      )
    i = j + 1
  }
  const t = p.trailer
  const trailer = [
    `/Size ${sigRef.objectNumber + 1}`,
    `/Root ${catalogRef.toString()}`,
    ...(t.Info === undefined ? [] : [`/Info ${t.Info.toString()}`]),
    ...(t.ID === undefined ? [] : [`/ID ${t.ID.toString()}`]),
    `/Prev ${prev}`,
  ]
  parts.push(latin1(`${xref.join("\n")}\ntrailer\n<< ${trailer.join(" ")} >>\nstartxref\n${xrefAt}\n%%EOF\n`))
  const out = Buffer.concat([Buffer.from(pdf), ...parts])

  // Byte range around the /Contents hex string of the new signature dictionary.
  const sigAt = offsets.get(sigRef.objectNumber)!
  const brAt = out.indexOf(BYTE_RANGE_PLACEHOLDER, sigAt, "latin1")
  const contentsAt = out.indexOf("/Contents <", sigAt, "latin1") + "/Contents ".length
  const contentsEnd = contentsAt + CONTENTS_BYTES * 2 + 2
  const range = [0, contentsAt, contentsEnd, out.length - contentsEnd]
  const rangeText = `[${range.join(" ")}]`.padEnd(BYTE_RANGE_PLACEHOLDER.length, " ")
  out.write(rangeText, brAt, "latin1")
  const digest = createHash("sm3")
    .update(out.subarray(0, contentsAt))
    .update(out.subarray(contentsEnd))
    .digest()
  const cms = req.sign(new Uint8Array(digest))
  if (cms.length > CONTENTS_BYTES)
    throw new SignatureRefused(`the signature (${cms.length} bytes) exceeds the reserved ${CONTENTS_BYTES}`)
  out.write(
    Buffer.from(cms)
      .toString("hex")
      .padEnd(CONTENTS_BYTES * 2, "0"),
    contentsAt + 1,
    "latin1",
  )
  return new Uint8Array(out)
}
