/**
 * X.509 certificates and keys for SM2 (GM/T 0015): SM2 public keys (id-ecPublicKey with the SM2 curve,
 * 1.2.156.10197.1.301), certificates signed with SM2-with-SM3 (1.2.156.10197.1.501) under the default
 * user id 1234567812345678, PKCS#8 private keys, PEM. All ASN.1 goes through @peculiar/asn1-* (no
 * hand-written DER). Used by the local seal CA and the PDF seal verifier; keys never leave as plain text
 * except into the PEM files `anju ca init` writes on purpose.
 */
import { AsnConvert, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes, OctetString } from "@peculiar/asn1-schema"
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  BasicConstraints,
  Certificate,
  Extension,
  Extensions,
  id_ce_basicConstraints,
  id_ce_keyUsage,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from "@peculiar/asn1-x509"
import { sm2, sm3 } from "sm-crypto-v2"

export const OID = {
  sm2Curve: "1.2.156.10197.1.301",
  sm2WithSm3: "1.2.156.10197.1.501",
  sm3: "1.2.156.10197.1.401",
  ecPublicKey: "1.2.840.10045.2.1",
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  country: "2.5.4.6",
  serialNumber: "2.5.4.5",
} as const

export const DEFAULT_USER_ID = "1234567812345678"

/** A bare OBJECT IDENTIFIER (a one-alternative CHOICE serialises to its alternative). */
class OidValue {
  value = ""
  constructor(value = "") {
    this.value = value
  }
}
AsnProp({ type: AsnPropTypes.ObjectIdentifier })(OidValue.prototype, "value")
AsnType({ type: AsnTypeTypes.Choice })(OidValue)

/** DER of an OBJECT IDENTIFIER. */
export const oidDer = (oid: string): ArrayBuffer => AsnConvert.serialize(new OidValue(oid))
export const parseOid = (der: ArrayBuffer | Uint8Array): string => AsnConvert.parse(der, OidValue).value

/** RFC 5915 ECPrivateKey and RFC 5208 PrivateKeyInfo (PKCS#8), for key files OpenSSL also reads. */
class EcPrivateKey {
  version = 1
  privateKey = new OctetString()
  publicKey?: ArrayBuffer
}
AsnProp({ type: AsnPropTypes.Integer })(EcPrivateKey.prototype, "version")
AsnProp({ type: OctetString })(EcPrivateKey.prototype, "privateKey")
AsnProp({ type: AsnPropTypes.BitString, context: 1, optional: true })(EcPrivateKey.prototype, "publicKey")

class PrivateKeyInfo {
  version = 0
  privateKeyAlgorithm = new AlgorithmIdentifier()
  privateKey = new OctetString()
}
AsnProp({ type: AsnPropTypes.Integer })(PrivateKeyInfo.prototype, "version")
AsnProp({ type: AlgorithmIdentifier })(PrivateKeyInfo.prototype, "privateKeyAlgorithm")
AsnProp({ type: OctetString })(PrivateKeyInfo.prototype, "privateKey")

const hexOf = (b: ArrayBuffer | Uint8Array) =>
  Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString("hex")
const bytesOf = (hex: string) => new Uint8Array(Buffer.from(hex, "hex"))

export interface Sm2KeyPair {
  /** d, 64 hex. */
  readonly privateKey: string
  /** 04 ‖ x ‖ y, 130 hex. */
  readonly publicKey: string
}

/** Order n of the SM2 base point. */
const N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n

/** A fresh key pair from the CSPRNG (sm-crypto-v2 uses Web Crypto's getRandomValues). */
export const generateKeyPair = (): Sm2KeyPair => {
  const k = sm2.generateKeyPairHex()
  return { privateKey: k.privateKey.padStart(64, "0"), publicKey: k.publicKey }
}

/** A key pair derived from a label (demo and test CAs only: anyone knowing the label has the key). */
export const derivedKeyPair = (label: string): Sm2KeyPair => {
  const d = (BigInt(`0x${sm3(label)}`) % (N - 2n)) + 1n
  const privateKey = d.toString(16).padStart(64, "0")
  return { privateKey, publicKey: sm2.getPublicKeyFromPrivateKey(privateKey) }
}

/** SM2 signature (DER SEQUENCE { r, s }) of `bytes` with SM3 and Z over the default user id. */
export const signDer = (bytes: Uint8Array, key: Sm2KeyPair): Uint8Array =>
  bytesOf(
    sm2.doSignature(bytes, key.privateKey, {
      hash: true,
      der: true,
      publicKey: key.publicKey,
      userId: DEFAULT_USER_ID,
    }),
  )

export const verifyDer = (bytes: Uint8Array, signature: Uint8Array, publicKey: string): boolean => {
  try {
    return sm2.doVerifySignature(bytes, hexOf(signature), publicKey, {
      hash: true,
      der: true,
      userId: DEFAULT_USER_ID,
    })
  } catch {
    return false
  }
}

export interface Subject {
  readonly commonName: string
  readonly organization?: string
  /** The holder's number (USCC for an organisation). */
  readonly serialNumber?: string
}

export const makeName = (s: Subject): Name =>
  new Name([
    new RelativeDistinguishedName([
      new AttributeTypeAndValue({ type: OID.country, value: new AttributeValue({ printableString: "CN" }) }),
    ]),
    ...(s.organization === undefined
      ? []
      : [
          new RelativeDistinguishedName([
            new AttributeTypeAndValue({
              type: OID.organization,
              value: new AttributeValue({ utf8String: s.organization }),
            }),
          ]),
        ]),
    new RelativeDistinguishedName([
      new AttributeTypeAndValue({
        type: OID.commonName,
        value: new AttributeValue({ utf8String: s.commonName }),
      }),
    ]),
    ...(s.serialNumber === undefined
      ? []
      : [
          new RelativeDistinguishedName([
            new AttributeTypeAndValue({
              type: OID.serialNumber,
              value: new AttributeValue({ printableString: s.serialNumber }),
            }),
          ]),
        ]),
  ])

export interface IssueRequest {
  readonly subject: Subject
  readonly publicKey: string
  /** The issuer's name and key; for a self-signed root, the subject and its own key. */
  readonly issuer: { readonly name: Name; readonly key: Sm2KeyPair }
  /** Positive serial number. */
  readonly serial: bigint
  readonly notBefore: Date
  readonly notAfter: Date
  /** A CA certificate (keyCertSign) or a seal certificate (digitalSignature, nonRepudiation). */
  readonly ca: boolean
}

const serialBytes = (n: bigint): ArrayBuffer => {
  let hex = n.toString(16)
  if (hex.length % 2 === 1) hex = `0${hex}`
  if (Number.parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`
  return bytesOf(hex).slice().buffer
}

/** A DER certificate signed by the issuer's SM2 key. */
export const issueCertificate = (r: IssueRequest): Uint8Array => {
  const algorithm = new AlgorithmIdentifier({ algorithm: OID.sm2WithSm3 })
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serialBytes(r.serial),
    signature: algorithm,
    issuer: r.issuer.name,
    validity: new Validity({ notBefore: r.notBefore, notAfter: r.notAfter }),
    subject: makeName(r.subject),
    subjectPublicKeyInfo: new SubjectPublicKeyInfo({
      algorithm: new AlgorithmIdentifier({ algorithm: OID.ecPublicKey, parameters: oidDer(OID.sm2Curve) }),
      subjectPublicKey: bytesOf(r.publicKey).slice().buffer,
    }),
    extensions: new Extensions([
      new Extension({
        extnID: id_ce_basicConstraints,
        critical: true,
        extnValue: new OctetString(AsnConvert.serialize(new BasicConstraints({ cA: r.ca }))),
      }),
      new Extension({
        extnID: id_ce_keyUsage,
        critical: true,
        extnValue: new OctetString(
          AsnConvert.serialize(
            new KeyUsage(
              r.ca
                ? KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign
                : KeyUsageFlags.digitalSignature | KeyUsageFlags.nonRepudiation,
            ),
          ),
        ),
      }),
    ]),
  })
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs))
  const signature = signDer(tbsDer, r.issuer.key)
  const cert = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: algorithm,
    signatureValue: signature.slice().buffer,
  })
  return new Uint8Array(AsnConvert.serialize(cert))
}

/** What the verifier needs from a certificate. */
export interface ParsedCertificate {
  readonly der: Uint8Array
  readonly certificate: Certificate
  readonly subject: string
  readonly subjectDer: string
  readonly issuerDer: string
  readonly serialHex: string
  /** Uncompressed SM2 public key (hex), or undefined when the key is not an SM2 key. */
  readonly publicKey: string | undefined
  readonly notBefore: Date
  readonly notAfter: Date
  readonly isCa: boolean
  /** The DER bytes the issuer signed. */
  readonly tbsDer: Uint8Array
}

const commonNameOf = (name: Name): string => {
  for (const rdn of name) for (const atv of rdn) if (atv.type === OID.commonName) return atv.value.toString()
  return ""
}

export const parseCertificate = (der: Uint8Array): ParsedCertificate => {
  const certificate = AsnConvert.parse(der, Certificate)
  const tbs = certificate.tbsCertificate
  const spki = tbs.subjectPublicKeyInfo
  const params = spki.algorithm.parameters
  const sm2Key =
    (spki.algorithm.algorithm === OID.ecPublicKey && params != null && parseOid(params) === OID.sm2Curve) ||
    spki.algorithm.algorithm === OID.sm2Curve
  let isCa = false
  for (const e of tbs.extensions ?? [])
    if (e.extnID === id_ce_basicConstraints) isCa = AsnConvert.parse(e.extnValue, BasicConstraints).cA
  return {
    der,
    certificate,
    subject: commonNameOf(tbs.subject),
    subjectDer: hexOf(AsnConvert.serialize(tbs.subject)),
    issuerDer: hexOf(AsnConvert.serialize(tbs.issuer)),
    serialHex: hexOf(tbs.serialNumber),
    publicKey: sm2Key ? hexOf(spki.subjectPublicKey) : undefined,
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    isCa,
    tbsDer: new Uint8Array(certificate.tbsCertificateRaw ?? AsnConvert.serialize(tbs)),
  }
}

/** True when `cert` carries an SM2-with-SM3 signature by `issuerPublicKey`. */
export const issuedBy = (cert: ParsedCertificate, issuerPublicKey: string): boolean =>
  cert.certificate.signatureAlgorithm.algorithm === OID.sm2WithSm3 &&
  verifyDer(cert.tbsDer, new Uint8Array(cert.certificate.signatureValue), issuerPublicKey)

/** PKCS#8 DER of an SM2 private key (with its public key). */
export const privateKeyDer = (key: Sm2KeyPair): Uint8Array => {
  const ec = new EcPrivateKey()
  ec.privateKey = new OctetString(bytesOf(key.privateKey))
  ec.publicKey = bytesOf(key.publicKey).slice().buffer
  const info = new PrivateKeyInfo()
  info.privateKeyAlgorithm = new AlgorithmIdentifier({
    algorithm: OID.ecPublicKey,
    parameters: oidDer(OID.sm2Curve),
  })
  info.privateKey = new OctetString(AsnConvert.serialize(ec))
  return new Uint8Array(AsnConvert.serialize(info))
}

export const parsePrivateKey = (der: Uint8Array): Sm2KeyPair => {
  const info = AsnConvert.parse(der, PrivateKeyInfo)
  const ec = AsnConvert.parse(info.privateKey.buffer, EcPrivateKey)
  const privateKey = hexOf(ec.privateKey.buffer).padStart(64, "0")
  return { privateKey, publicKey: sm2.getPublicKeyFromPrivateKey(privateKey) }
}

/** PEM armour of DER bytes. */
export const toPem = (label: string, der: Uint8Array): string =>
  `-----BEGIN ${label}-----\n${(
    Buffer.from(der)
      .toString("base64")
      .match(/.{1,64}/gu) ?? []
  ).join("\n")}\n-----END ${label}-----\n`

/** Every PEM block with `label` in `text`, as DER. */
export const fromPem = (label: string, text: string): Array<Uint8Array> =>
  [...text.matchAll(new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, "gu"))].map(
    (m) => new Uint8Array(Buffer.from(m[1]!.replace(/\s+/gu, ""), "base64")),
  )
