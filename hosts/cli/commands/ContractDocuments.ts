/**
 * Documents and seals on the command line (issue 13): `anju ca init --out <dir>` writes an SM2 root and
 * two seal credentials (PEM certificates, PKCS#8 keys); `anju contract render --demo --out c.pdf` renders
 * the demo lease contract and seals it (lessor, then tenant) with the demo CA or `--ca <dir>`;
 * `anju contract verify <file.pdf> [--trust ca.pem]` checks every seal: exit 0 when all hold, 1 naming
 * the first failure, 2 on bad usage. Without `--trust` only the public demo root is trusted.
 */
import { join } from "node:path"
import { Clock, Effect } from "effect"
import { Argument } from "effect/cli"
import * as PdfDocumentRenderer from "../../../adapters/pdf/PdfDocumentRenderer.js"
import * as PdfSealer from "../../../adapters/pdf/PdfSealer.js"
import { trustedRoots, verifySeals } from "../../../adapters/pdf/PdfSealVerifier.js"
import {
  createRoot,
  type Credential,
  demoRoot,
  demoSealAuthority,
  makeLocalSealAuthority,
} from "../../../adapters/sm/LocalSealAuthority.js"
import { fromPem, parsePrivateKey, privateKeyDer, toPem } from "../../../adapters/sm/Sm2Certificates.js"
import { issueDocument } from "../../../application/documents/IssueDocument.js"
import type { CivilDate } from "../../../domain/values/CivilDate.js"
import { DEMO_PROJECTS } from "../../demo/DemoEstate.js"
import { DEMO_TENANT, demoContract } from "../../demo/DemoContract.js"
import { optionalText, switchFlag, text, UsageError } from "../Args.js"
import { defineCommand } from "../CliCommand.js"
import type { CliIo } from "../Io.js"

const YEAR = 365 * 24 * 3600_000
const decoder = new TextDecoder()

/** Today in Asia/Shanghai. */
const shanghaiToday = (ms: number): CivilDate =>
  new Date(ms + 8 * 3600_000).toISOString().slice(0, 10) as CivilDate

const readCredential = async (io: CliIo, dir: string, name: string): Promise<Credential> => {
  const cert = fromPem("CERTIFICATE", decoder.decode(await io.readFile(join(dir, `${name}.pem`))))[0]
  const key = fromPem("PRIVATE KEY", decoder.decode(await io.readFile(join(dir, `${name}.key`))))[0]
  if (cert === undefined || key === undefined)
    throw new UsageError(`${dir}/${name}.pem or .key holds no PEM block`)
  return { certificate: cert, key: parsePrivateKey(key) }
}

const writeCredential = async (io: CliIo, dir: string, name: string, c: Credential) => {
  await io.writeFile(join(dir, `${name}.pem`), toPem("CERTIFICATE", c.certificate))
  await io.writeFile(join(dir, `${name}.key`), toPem("PRIVATE KEY", privateKeyDer(c.key)))
}

export const caInit = defineCommand({
  words: ["ca", "init"],
  description: "create a local seal CA: SM2 root and seal certificates with their keys (tests and demos)",
  examples: [
    {
      command: "anju ca init --out ca",
      description: "ca/root.pem (trust this), root.key, lessor.pem/.key, tenant.pem/.key",
    },
  ],
  config: { out: text("out", "DIR", "folder for the PEM files (created if missing; keys are secrets)") },
  run: async (input, io) => {
    const { mkdir } = await import("node:fs/promises")
    await mkdir(input.out, { recursive: true })
    const now = Date.now()
    const root = createRoot({
      subject: { commonName: "Anju Local Seal Root", organization: "安居本地测试" },
      notBefore: new Date(now - 24 * 3600_000),
      notAfter: new Date(now + 10 * YEAR),
    })
    const ca = makeLocalSealAuthority(root, {
      notBefore: new Date(now - 24 * 3600_000),
      notAfter: new Date(now + 3 * YEAR),
    })
    const operator = DEMO_PROJECTS[1]
    await writeCredential(io, input.out, "root", root)
    await writeCredential(
      io,
      input.out,
      "lessor",
      ca.credentialFor({ holder: operator.operatorUscc, name: operator.operatorName, kind: "organisation" }),
    )
    await writeCredential(
      io,
      input.out,
      "tenant",
      ca.credentialFor({ holder: DEMO_TENANT.holder, name: DEMO_TENANT.name, kind: "person" }),
    )
    io.out(
      `wrote ${input.out}/root.pem, root.key, lessor.pem, lessor.key, tenant.pem, tenant.key (keep the .key files secret)`,
    )
    return 0
  },
})

export const contractRender = defineCommand({
  words: ["contract", "render"],
  description: "render a sealed lease contract PDF (the demo contract from the demo estate)",
  examples: [
    { command: "anju contract render --demo --out c.pdf", description: "sealed with the public demo CA" },
    {
      command: "anju contract render --demo --ca ca --out c.pdf",
      description: "sealed with the CA from `anju ca init --out ca`",
    },
  ],
  config: {
    demo: switchFlag("demo", "the demo contract (the only source until contracts are stored)"),
    out: text("out", "FILE.pdf", "where to write the PDF"),
    ca: optionalText("ca", "DIR", "seal with this `anju ca init` folder's lessor and tenant credentials"),
    baseUrl: optionalText(
      "base-url",
      "URL",
      "public address in the QR codes (default http://localhost:8080)",
    ),
  },
  run: async (input, io) => {
    if (!input.demo)
      throw new UsageError("--demo is required: stored contracts are rendered by the contract routes")
    const ca =
      input.ca === undefined
        ? demoSealAuthority()
        : await (async () => {
            const dir = input.ca!
            const root = await readCredential(io, dir, "root")
            const lessor = await readCredential(io, dir, "lessor")
            const tenant = await readCredential(io, dir, "tenant")
            const byHolder = new Map<string, Credential>([
              [DEMO_PROJECTS[1].operatorUscc, lessor],
              [DEMO_TENANT.holder, tenant],
            ])
            return {
              root,
              credentialFor: (h: { holder: string }) => {
                const c = byHolder.get(h.holder)
                if (c === undefined) throw new UsageError(`${dir} has no credential for ${h.holder}`)
                return c
              },
            }
          })()
    const program = Effect.gen(function* () {
      const today = shanghaiToday(yield* Clock.currentTimeMillis)
      const { layout, seals, unitCode } = yield* demoContract(today)
      const pdf = yield* issueDocument(layout, seals)
      return { pdf, number: layout.number, unitCode }
    }).pipe(
      Effect.provide(PdfDocumentRenderer.layer({ publicBaseUrl: input.baseUrl ?? "http://localhost:8080" })),
      Effect.provide(PdfSealer.layer(ca)),
    )
    const { pdf, number, unitCode } = await Effect.runPromise(program)
    await io.writeFile(input.out, pdf)
    io.out(
      `wrote ${input.out}: lease contract ${number}, unit ${unitCode}, sealed by lessor and tenant (${pdf.length} bytes)`,
    )
    return 0
  },
})

export const contractVerify = defineCommand({
  words: ["contract", "verify"],
  description:
    "verify every seal on a PDF offline: digest, SM2 signature, chain, validity, no unsigned updates",
  examples: [
    { command: "anju contract verify c.pdf", description: "trusting only the public demo root" },
    {
      command: "anju contract verify c.pdf --trust ca/root.pem",
      description: "trusting the roots in ca/root.pem",
    },
  ],
  config: {
    file: Argument.String("file").pipe(
      Argument.withMetavar("file.pdf"),
      Argument.withDescription("the sealed PDF"),
    ),
    trust: optionalText(
      "trust",
      "ca.pem",
      "PEM file of trusted root certificates (default: the demo root only)",
    ),
  },
  run: async (input, io) => {
    const pdf = await io.readFile(input.file)
    let roots = [demoRoot().certificate]
    if (input.trust === undefined)
      io.err("trusting the public demo root only (pass --trust ca.pem for a real CA)")
    else {
      roots = fromPem("CERTIFICATE", decoder.decode(await io.readFile(input.trust)))
      if (roots.length === 0) throw new UsageError(`--trust ${input.trust} holds no CERTIFICATE block`)
    }
    const r = await verifySeals(pdf, trustedRoots(roots))
    for (const s of r.seals)
      io.out(
        `ok ${s.role}: ${s.signer}, signed ${s.signingTime?.toISOString() ?? "?"}, covers ${s.revisionLength} bytes`,
      )
    if (!r.ok) {
      io.err(`${input.file}: ${r.failure}`)
      return 1
    }
    io.out(`${input.file}: ${r.seals.length} seal(s) valid; nothing follows the last signed revision`)
    return 0
  },
})

export const CONTRACT_DOCUMENT_COMMANDS = [caInit, contractRender, contractVerify] as const
