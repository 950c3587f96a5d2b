/**
 * CMS SignedData (RFC 5652) with the national algorithms, as PDF seals carry it: detached content,
 * SM3 digest (1.2.156.10197.1.401), SM2 signature (1.2.156.10197.1.501, DER r/s, default user id), the
 * signer's certificate inside, signed attributes content-type, message-digest and signing-time. The
 * signature covers the DER SET OF the signed attributes; a verifier re-tags the received [0] bytes as a
 * SET rather than re-encoding them, so any encoding the signer used verifies.
 */
import {
  Attribute,
  CMSVersion,
  ContentInfo,
  DigestAlgorithmIdentifier,
  EncapsulatedContentInfo,
  IssuerAndSerialNumber,
  id_data,
  id_signedData,
  SignatureAlgorithmIdentifier,
  SignedData,
  SignerIdentifier,
  SigningTime,
} from "@peculiar/asn1-cms"
import {
  AsnArray,
  AsnConvert,
  AsnProp,
  AsnPropTypes,
  AsnType,
  AsnTypeTypes,
  OctetString,
} from "@peculiar/asn1-schema"
import { Certificate } from "@peculiar/asn1-x509"
import { OID, oidDer, parseOid, type Sm2KeyPair, signDer } from "./Sm2Certificates.js"

export const id_contentType = "1.2.840.113549.1.9.3"
export const id_messageDigest = "1.2.840.113549.1.9.4"
export const id_signingTime = "1.2.840.113549.1.9.5"

/** SignedAttributes as the DER SET OF that is signed. */
class SignedAttributes extends AsnArray<Attribute> {
  constructor(items?: Array<Attribute>) {
    super(items)
    Object.setPrototypeOf(this, SignedAttributes.prototype)
  }
}
AsnType({ type: AsnTypeTypes.Set, itemType: Attribute })(SignedAttributes)

export interface DetachedSignatureInput {
  /** SM3 digest of the signed content (32 bytes). */
  readonly digest: Uint8Array
  readonly signingTime: Date
  /** The signer's certificate (DER). */
  readonly certificate: Uint8Array
  readonly key: Sm2KeyPair
}

/**
 * SignedData and SignerInfo with the parts that never change for a credential (certificate, issuer and
 * serial, algorithm identifiers) kept as DER made once per credential by the library's own classes and
 * embedded as ANY: the same encoding, without re-serialising the certificate for every seal (~3 ms).
 */
class SignerInfoPrepared {
  version = CMSVersion.v1
  sid = new ArrayBuffer(0)
  digestAlgorithm = new ArrayBuffer(0)
  signedAttrs: Array<Attribute> = []
  signatureAlgorithm = new ArrayBuffer(0)
  signature = new OctetString()
}
AsnProp({ type: AsnPropTypes.Integer })(SignerInfoPrepared.prototype, "version")
AsnProp({ type: AsnPropTypes.Any })(SignerInfoPrepared.prototype, "sid")
AsnProp({ type: AsnPropTypes.Any })(SignerInfoPrepared.prototype, "digestAlgorithm")
AsnProp({ type: Attribute, repeated: "set", context: 0, implicit: true })(
  SignerInfoPrepared.prototype,
  "signedAttrs",
)
AsnProp({ type: AsnPropTypes.Any })(SignerInfoPrepared.prototype, "signatureAlgorithm")
AsnProp({ type: OctetString })(SignerInfoPrepared.prototype, "signature")

class SignedDataPrepared {
  version = CMSVersion.v1
  digestAlgorithms = new ArrayBuffer(0)
  encapContentInfo = new ArrayBuffer(0)
  certificates: Array<ArrayBuffer> = []
  signerInfos: Array<SignerInfoPrepared> = []
}
AsnProp({ type: AsnPropTypes.Integer })(SignedDataPrepared.prototype, "version")
AsnProp({ type: AsnPropTypes.Any })(SignedDataPrepared.prototype, "digestAlgorithms")
AsnProp({ type: AsnPropTypes.Any })(SignedDataPrepared.prototype, "encapContentInfo")
AsnProp({ type: AsnPropTypes.Any, repeated: "set", context: 0, implicit: true })(
  SignedDataPrepared.prototype,
  "certificates",
)
AsnProp({ type: SignerInfoPrepared, repeated: "set" })(SignedDataPrepared.prototype, "signerInfos")

interface Prepared {
  readonly certificate: ArrayBuffer
  readonly sid: ArrayBuffer
  readonly sm3: ArrayBuffer
  readonly sm2: ArrayBuffer
  readonly digestAlgorithms: ArrayBuffer
  readonly encap: ArrayBuffer
}
const prepared = new WeakMap<Uint8Array, Prepared>()
const prepare = (certificate: Uint8Array): Prepared => {
  let p = prepared.get(certificate)
  if (p === undefined) {
    const cert = AsnConvert.parse(certificate, Certificate)
    const digestAlgorithm = new DigestAlgorithmIdentifier({ algorithm: OID.sm3 })
    const sd = new SignedData()
    sd.digestAlgorithms.push(digestAlgorithm)
    p = {
      certificate: certificate.slice().buffer,
      sid: AsnConvert.serialize(
        new SignerIdentifier({
          issuerAndSerialNumber: new IssuerAndSerialNumber({
            issuer: cert.tbsCertificate.issuer,
            serialNumber: cert.tbsCertificate.serialNumber,
          }),
        }),
      ),
      sm3: AsnConvert.serialize(digestAlgorithm),
      sm2: AsnConvert.serialize(new SignatureAlgorithmIdentifier({ algorithm: OID.sm2WithSm3 })),
      digestAlgorithms: AsnConvert.serialize(sd.digestAlgorithms),
      encap: AsnConvert.serialize(new EncapsulatedContentInfo({ eContentType: id_data })),
    }
    prepared.set(certificate, p)
  }
  return p
}

/** The DER of a ContentInfo holding the SignedData. */
export const signDetached = (input: DetachedSignatureInput): Uint8Array => {
  const p = prepare(input.certificate)
  const attrs = [
    new Attribute({ attrType: id_contentType, attrValues: [oidDer(id_data)] }),
    new Attribute({
      attrType: id_signingTime,
      attrValues: [AsnConvert.serialize(new SigningTime(input.signingTime))],
    }),
    new Attribute({
      attrType: id_messageDigest,
      attrValues: [AsnConvert.serialize(new OctetString(input.digest))],
    }),
  ]
  const signed = new Uint8Array(AsnConvert.serialize(new SignedAttributes(attrs)))
  const signerInfo = new SignerInfoPrepared()
  signerInfo.sid = p.sid
  signerInfo.digestAlgorithm = p.sm3
  signerInfo.signedAttrs = attrs
  signerInfo.signatureAlgorithm = p.sm2
  signerInfo.signature = new OctetString(signDer(signed, input.key))
  const signedData = new SignedDataPrepared()
  signedData.digestAlgorithms = p.digestAlgorithms
  signedData.encapContentInfo = p.encap
  signedData.certificates = [p.certificate]
  signedData.signerInfos = [signerInfo]
  return new Uint8Array(
    AsnConvert.serialize(
      new ContentInfo({ contentType: id_signedData, content: AsnConvert.serialize(signedData) }),
    ),
  )
}

/** What a verifier reads from one signer of a SignedData. */
export interface SignerView {
  readonly digestAlgorithm: string
  readonly signatureAlgorithm: string
  readonly contentType: string | undefined
  readonly messageDigest: Uint8Array | undefined
  readonly signingTime: Date | undefined
  /** The bytes the signature covers: the signed attributes as a DER SET. */
  readonly signedAttributes: Uint8Array
  readonly signature: Uint8Array
  /** Certificates carried in the SignedData (DER); the signer's is the one matching issuer and serial. */
  readonly certificates: ReadonlyArray<Uint8Array>
  readonly issuerDer: string | undefined
  readonly serialHex: string | undefined
}

const hex = (b: ArrayBuffer | Uint8Array) =>
  Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString("hex")

/** Parses a ContentInfo with a SignedData of exactly one signer; throws on anything else (the caller reports it). */
export const readSignedData = (der: Uint8Array): SignerView => {
  const info = AsnConvert.parse(der, ContentInfo)
  if (info.contentType !== id_signedData)
    throw new Error(`not a SignedData (content type ${info.contentType})`)
  const sd = AsnConvert.parse(info.content, SignedData)
  if (sd.signerInfos.length !== 1) throw new Error(`expected one signer, found ${sd.signerInfos.length}`)
  const si = sd.signerInfos[0]!
  if (si.signedAttrs === undefined || si.signedAttrs.length === 0) throw new Error("no signed attributes")
  // The [0] IMPLICIT bytes re-tagged as SET OF (RFC 5652 §5.4) when the parser kept them; otherwise the
  // attributes re-encoded in the order received (values are kept as received, so the bytes are the same).
  const raw =
    si.signedAttrsRaw === undefined
      ? new Uint8Array(AsnConvert.serialize(new SignedAttributes([...si.signedAttrs])))
      : new Uint8Array(si.signedAttrsRaw.slice(0))
  raw[0] = 0x31
  const attr = (oid: string) => si.signedAttrs?.find((a) => a.attrType === oid)?.attrValues[0]
  const ct = attr(id_contentType)
  const md = attr(id_messageDigest)
  const st = attr(id_signingTime)
  const certificates = (sd.certificates ?? []).flatMap((c) =>
    c.certificate === undefined ? [] : [new Uint8Array(AsnConvert.serialize(c.certificate))],
  )
  const ias = si.sid.issuerAndSerialNumber
  return {
    digestAlgorithm: si.digestAlgorithm.algorithm,
    signatureAlgorithm: si.signatureAlgorithm.algorithm,
    contentType: ct === undefined ? undefined : parseOid(ct),
    messageDigest: md === undefined ? undefined : new Uint8Array(AsnConvert.parse(md, OctetString).buffer),
    signingTime: st === undefined ? undefined : AsnConvert.parse(st, SigningTime).getTime(),
    signedAttributes: raw,
    signature: new Uint8Array(si.signature.buffer),
    certificates,
    issuerDer: ias === undefined ? undefined : hex(AsnConvert.serialize(ias.issuer)),
    serialHex: ias === undefined ? undefined : hex(ias.serialNumber),
  }
}
