/**
 * A local certificate authority for seals (测试CA): an SM2 root and one seal certificate per holder,
 * issued on first use and kept for the process. For demos and tests only — a real deployment gets seal
 * certificates from its e-seal platform. `demoRoot` derives its key from a fixed label, so every process
 * makes the same demo root key and `anju contract verify` can trust it without files; `createRoot`
 * uses the CSPRNG (`anju ca init`).
 */
import { sm3 } from "sm-crypto-v2"
import {
  derivedKeyPair,
  generateKeyPair,
  issueCertificate,
  makeName,
  parseCertificate,
  type Sm2KeyPair,
  type Subject,
} from "./Sm2Certificates.js"

export interface Credential {
  /** DER X.509 certificate. */
  readonly certificate: Uint8Array
  readonly key: Sm2KeyPair
}

export interface RootOptions {
  readonly subject: Subject
  readonly notBefore: Date
  readonly notAfter: Date
  /** Omit for a fresh key from the CSPRNG. */
  readonly key?: Sm2KeyPair
}

export const createRoot = (o: RootOptions): Credential => {
  const key = o.key ?? generateKeyPair()
  const certificate = issueCertificate({
    subject: o.subject,
    publicKey: key.publicKey,
    issuer: { name: makeName(o.subject), key },
    serial: 1n,
    notBefore: o.notBefore,
    notAfter: o.notAfter,
    ca: true,
  })
  return { certificate, key }
}

export const DEMO_ROOT_SUBJECT: Subject = { commonName: "Anju Demo Seal Root", organization: "安居演示" }
const DEMO_VALIDITY = {
  notBefore: new Date("2020-01-01T00:00:00Z"),
  notAfter: new Date("2049-12-31T00:00:00Z"),
}

let demo: Credential | undefined
/** The demo root: key derived from a public label (never use it for real documents). */
export const demoRoot = (): Credential => {
  demo ??= createRoot({
    subject: DEMO_ROOT_SUBJECT,
    ...DEMO_VALIDITY,
    key: derivedKeyPair("anju demo seal root v1"),
  })
  return demo
}

export interface HolderSpec {
  readonly holder: string
  readonly name: string
  readonly kind: "organisation" | "person"
}

export interface LocalSealAuthority {
  readonly root: Credential
  /** The holder's seal credential, issued on first use. */
  readonly credentialFor: (h: HolderSpec) => Credential
}

/**
 * A CA issuing seal certificates under `root`, valid `notBefore`–`notAfter`. With `derivedKeys` holder keys
 * come from the holder id (demo only), otherwise from the CSPRNG.
 */
export const makeLocalSealAuthority = (
  root: Credential,
  options: { readonly notBefore: Date; readonly notAfter: Date; readonly derivedKeys?: boolean },
): LocalSealAuthority => {
  const issuer = parseCertificate(root.certificate).certificate.tbsCertificate.subject
  const issued = new Map<string, Credential>()
  return {
    root,
    credentialFor: (h) => {
      const known = issued.get(h.holder)
      if (known !== undefined) return known
      const key =
        options.derivedKeys === true ? derivedKeyPair(`anju demo seal ${h.holder}`) : generateKeyPair()
      const serial = BigInt(`0x${sm3(`seal:${h.holder}`).slice(0, 15)}`) + 2n
      const certificate = issueCertificate({
        subject:
          h.kind === "organisation"
            ? { commonName: `${h.name}（电子印章）`, organization: h.name, serialNumber: h.holder }
            : { commonName: h.name, serialNumber: h.holder },
        publicKey: key.publicKey,
        issuer: { name: issuer, key: root.key },
        serial,
        notBefore: options.notBefore,
        notAfter: options.notAfter,
        ca: false,
      })
      const credential = { certificate, key }
      issued.set(h.holder, credential)
      return credential
    },
  }
}

/** The demo CA: demo root, derived holder keys, certificates valid 2020–2049. */
export const demoSealAuthority = (): LocalSealAuthority =>
  makeLocalSealAuthority(demoRoot(), { ...DEMO_VALIDITY, derivedKeys: true })
