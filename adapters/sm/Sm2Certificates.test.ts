// SM2 certificates, keys and CMS: a certificate issued by a root verifies under the root's key and not under
// another; PKCS#8 keys round-trip; a SignedData carries SM3/SM2 OIDs, the signing time and the digest, and its
// signature covers the signed attributes. With OpenSSL 3 on the machine, OpenSSL accepts the chain (given
// the SM2 user id 1234567812345678) and reads the key file.
import { execFileSync } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { createRoot, makeLocalSealAuthority } from "./LocalSealAuthority.js"
import {
  issuedBy,
  OID,
  parseCertificate,
  parsePrivateKey,
  privateKeyDer,
  toPem,
  verifyDer,
} from "./Sm2Certificates.js"
import { readSignedData, signDetached } from "./Sm2Cms.js"

const root = createRoot({
  subject: { commonName: "Test Root" },
  notBefore: new Date("2026-01-01"),
  notAfter: new Date("2036-01-01"),
})
const ca = makeLocalSealAuthority(root, {
  notBefore: new Date("2026-01-01"),
  notAfter: new Date("2028-01-01"),
})
const seal = ca.credentialFor({
  holder: "91350100M000100Y43",
  name: "闵行区保障房运营有限公司",
  kind: "organisation",
})

const openssl = (() => {
  try {
    return execFileSync("openssl", ["version"], { encoding: "utf8" }).startsWith("OpenSSL 3")
  } catch {
    return false
  }
})()

describe("SM2 certificates and CMS", () => {
  it("chains a seal certificate to its root only", () => {
    const r = parseCertificate(root.certificate)
    const c = parseCertificate(seal.certificate)
    expect(r.isCa).toBe(true)
    expect(c.isCa).toBe(false)
    expect(c.issuerDer).toBe(r.subjectDer)
    expect(issuedBy(c, r.publicKey!)).toBe(true)
    expect(issuedBy(c, c.publicKey!)).toBe(false)
    expect(c.subject).toBe("闵行区保障房运营有限公司（电子印章）")
    expect(parsePrivateKey(privateKeyDer(seal.key))).toEqual(seal.key)
  })

  it("signs detached content: SM3, SM2-with-SM3, signing time, digest; the signature covers the attributes", () => {
    const digest = new Uint8Array(32).fill(7)
    const at = new Date("2026-12-04T02:00:00Z")
    const v = readSignedData(
      signDetached({ digest, signingTime: at, certificate: seal.certificate, key: seal.key }),
    )
    expect(v.digestAlgorithm).toBe(OID.sm3)
    expect(v.signatureAlgorithm).toBe(OID.sm2WithSm3)
    expect(v.signingTime).toEqual(at)
    expect(v.messageDigest).toEqual(digest)
    expect(v.certificates).toHaveLength(1)
    expect(verifyDer(v.signedAttributes, v.signature, seal.key.publicKey)).toBe(true)
    const changed = v.signedAttributes.slice()
    changed[changed.length - 1]! ^= 1
    expect(verifyDer(changed, v.signature, seal.key.publicKey)).toBe(false)
  })

  // skip-reason: no OpenSSL 3 binary with SM2 on this machine (Debian's openssl has it)
  it.skipIf(!openssl)(
    "OpenSSL 3 verifies the chain with the default SM2 user id and reads the PKCS#8 key",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "anju-sm2-"))
      writeFileSync(join(dir, "root.pem"), toPem("CERTIFICATE", root.certificate))
      writeFileSync(join(dir, "seal.pem"), toPem("CERTIFICATE", seal.certificate))
      writeFileSync(join(dir, "seal.key"), toPem("PRIVATE KEY", privateKeyDer(seal.key)))
      const out = execFileSync(
        "openssl",
        [
          "verify",
          "-vfyopt",
          "distid:1234567812345678",
          "-CAfile",
          join(dir, "root.pem"),
          join(dir, "seal.pem"),
        ],
        { encoding: "utf8" },
      )
      expect(out).toContain("OK")
      const key = execFileSync("openssl", ["pkey", "-in", join(dir, "seal.key"), "-noout", "-text"], {
        encoding: "utf8",
      })
      expect(key.replace(/[\s:]/gu, "")).toContain(seal.key.privateKey.replace(/^0+/u, "").slice(0, 16))
    },
  )
})
