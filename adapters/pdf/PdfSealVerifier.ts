/**
 * Offline verification of the seals on a PDF (`anju contract verify`): for every signature field with a
 * value, the /ByteRange must cover the whole revision except its /Contents, the CMS SignedData must carry
 * SM3 and SM2-with-SM3, its message digest must equal the SM3 of the byte range, the SM2 signature over
 * the signed attributes must verify under the signer's certificate, that certificate must be issued by a
 * trusted root and valid (with the root) at the signing time, and nothing but signed updates may follow
 * the last signed range. The first failure is reported; nothing is trusted that is not in `trusted`.
 * Signing time is the signer's claim (signed attribute; no time-stamp authority).
 */
import { createHash } from "node:crypto"
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFString,
  ParseSpeeds,
} from "pdf-lib"
import { issuedBy, OID, type ParsedCertificate, parseCertificate, verifyDer } from "../sm/Sm2Certificates.js"
import { readSignedData } from "../sm/Sm2Cms.js"
import { signatureFields } from "./PdfSignature.js"

const ID_DATA = "1.2.840.113549.1.7.1"

export interface SealReport {
  /** The field's name: lessor, tenant, centre, … */
  readonly role: string
  /** The signer certificate's common name. */
  readonly signer: string
  readonly signingTime: Date | undefined
  /** Bytes of the file this signature covers (its revision ends there). */
  readonly revisionLength: number
}

export type SealVerification =
  | { readonly ok: true; readonly seals: ReadonlyArray<SealReport> }
  | { readonly ok: false; readonly failure: string; readonly seals: ReadonlyArray<SealReport> }

const countOf = (haystack: Buffer, needle: string) => {
  let n = 0
  for (let i = haystack.indexOf(needle, 0, "latin1"); i >= 0; i = haystack.indexOf(needle, i + 1, "latin1"))
    n++
  return n
}

const within = (t: Date, c: ParsedCertificate) =>
  t.getTime() >= c.notBefore.getTime() && t.getTime() <= c.notAfter.getTime()

/** Verifies every seal on `pdf` against the `trusted` root certificates. */
export const verifySeals = async (
  pdf: Uint8Array,
  trusted: ReadonlyArray<ParsedCertificate>,
): Promise<SealVerification> => {
  const bytes = Buffer.from(pdf)
  const seals: Array<SealReport> = []
  const fail = (failure: string): SealVerification => ({ ok: false, failure, seals })
  let doc: PDFDocument
  try {
    doc = await PDFDocument.load(pdf, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest })
  } catch (e) {
    return fail(`not a readable PDF: ${e instanceof Error ? e.message : String(e)}`)
  }
  const signed = signatureFields(doc).flatMap((f) => {
    const v = f.dict.lookup(PDFName.of("V"))
    return v instanceof PDFDict ? [{ name: f.name, sig: v }] : []
  })
  if (signed.length === 0) return fail("the file has no signatures")
  const dictionaries = countOf(bytes, "/ByteRange")
  if (dictionaries !== signed.length)
    return fail(
      `${dictionaries} signature dictionaries but ${signed.length} signed fields: a signature is detached from its field`,
    )

  const ordered = signed
    .map((s) => {
      const br = s.sig.lookup(PDFName.of("ByteRange"))
      const range =
        br instanceof PDFArray
          ? br.asArray().map((x) => (x instanceof PDFNumber ? x.asNumber() : Number.NaN))
          : []
      return { ...s, range }
    })
    .sort((a, b) => (a.range[2] ?? 0) + (a.range[3] ?? 0) - ((b.range[2] ?? 0) + (b.range[3] ?? 0)))

  for (const [i, s] of ordered.entries()) {
    const label = `signature ${i + 1} (${s.name})`
    const [a, b, c, d] = s.range
    if (
      s.range.length !== 4 ||
      s.range.some((x) => !Number.isInteger(x) || x < 0) ||
      a !== 0 ||
      b! >= c! ||
      c! + d! > bytes.length
    )
      return fail(`${label}: malformed /ByteRange [${s.range.join(" ")}]`)
    const end = c! + d!
    if (bytes[b!] !== 0x3c || bytes[c! - 1] !== 0x3e)
      return fail(`${label}: the byte range does not exclude exactly the /Contents string`)
    const gapHex = bytes.subarray(b! + 1, c! - 1).toString("latin1")
    const contents = s.sig.get(PDFName.of("Contents"))
    const declared =
      contents instanceof PDFHexString
        ? contents.asString()
        : contents instanceof PDFString
          ? Buffer.from(contents.asBytes()).toString("hex")
          : ""
    if (declared.toLowerCase() !== gapHex.toLowerCase())
      return fail(`${label}: /Contents is not the string the byte range excludes`)
    if (!/%%EOF\s*$/u.test(bytes.subarray(Math.max(0, end - 16), end).toString("latin1")))
      return fail(`${label}: the byte range does not end at the end of a revision (%%EOF)`)
    let view: ReturnType<typeof readSignedData>
    try {
      view = readSignedData(new Uint8Array(Buffer.from(gapHex, "hex"))) // zero padding after the DER is ignored
    } catch (e) {
      return fail(
        `${label}: /Contents is not a CMS SignedData: ${e instanceof Error ? e.message : String(e)}`,
      )
    }
    if (view.digestAlgorithm !== OID.sm3)
      return fail(`${label}: digest algorithm ${view.digestAlgorithm} is not SM3 (${OID.sm3})`)
    if (view.signatureAlgorithm !== OID.sm2WithSm3)
      return fail(
        `${label}: signature algorithm ${view.signatureAlgorithm} is not SM2-with-SM3 (${OID.sm2WithSm3})`,
      )
    if (view.contentType !== ID_DATA) return fail(`${label}: the content-type attribute is not id-data`)
    const digest = createHash("sm3").update(bytes.subarray(0, b!)).update(bytes.subarray(c!, end)).digest()
    if (view.messageDigest === undefined || !digest.equals(Buffer.from(view.messageDigest)))
      return fail(`${label}: digest mismatch: the signed bytes were changed after signing`)
    const certs = view.certificates.map(parseCertificate)
    const cert = certs.find((x) => x.issuerDer === view.issuerDer && x.serialHex === view.serialHex)
    if (cert === undefined) return fail(`${label}: the signer's certificate is not in the signature`)
    if (cert.publicKey === undefined)
      return fail(`${label}: the signer's key is not an SM2 key (${OID.sm2Curve})`)
    if (!verifyDer(view.signedAttributes, view.signature, cert.publicKey))
      return fail(`${label}: the SM2 signature does not verify under ${cert.subject}'s certificate`)
    const root = trusted.find(
      (r) => r.subjectDer === cert.issuerDer && r.publicKey !== undefined && issuedBy(cert, r.publicKey),
    )
    if (root === undefined)
      return fail(`${label}: ${cert.subject}'s certificate is not issued by a trusted root`)
    const at = view.signingTime
    if (at === undefined) return fail(`${label}: no signing-time attribute`)
    if (!within(at, cert))
      return fail(
        `${label}: ${cert.subject}'s certificate was not valid at the signing time ${at.toISOString()}`,
      )
    if (!within(at, root))
      return fail(`${label}: the root ${root.subject} was not valid at the signing time ${at.toISOString()}`)
    seals.push({ role: s.name, signer: cert.subject, signingTime: at, revisionLength: end })
  }
  const last = seals.at(-1)!.revisionLength
  if (bytes.subarray(last).toString("latin1").trim() !== "")
    return fail(
      `${bytes.length - last} bytes after the last signed revision: an unsigned incremental update was appended`,
    )
  return { ok: true, seals }
}

/** Trusted roots from PEM text (every CERTIFICATE block). */
export const trustedRoots = (certificates: ReadonlyArray<Uint8Array>): Array<ParsedCertificate> =>
  certificates.map(parseCertificate)
