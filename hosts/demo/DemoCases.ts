/**
 * Demo qualification cases for `anju serve --demo` (and the composition test): a token table of demo
 * actors, DEMO field-cipher keys (public, printed as a warning — never for real data) and one 公租 case
 * in Pudong opened and submitted through the real use-cases. Seeding is idempotent (fixed ids and
 * idempotency keys), so a persistent data directory can be seeded again.
 */
import { Effect, Redacted } from "effect"
import { auditContextFor, withAuditContext } from "../../application/audit/AuditContext.js"
import type { Actor } from "../../application/cases/CaseActor.js"
import { openCaseCommand, runCaseCommand } from "../../application/cases/CaseWorkflow.js"
import type { TokenTable } from "../../adapters/config/StaticActorVerifier.js"
import type { Sm4Keys } from "../../adapters/sm/Sm4FieldCipher.js"

/** PUBLIC demo keys: anything sealed with them is readable by anyone who has this source file. */
export const DEMO_FIELD_KEYS: Sm4Keys = {
  encryptionKey: Redacted.make("d0d0d0d0000000000000000000000001"),
  indexKey: Redacted.make("d0d0d0d0000000000000000000000002"),
  keyId: "demo-not-secret",
}

/** PUBLIC demo KMS master key: the key versions of a demo host are sealed under it. */
export const DEMO_KMS_MASTER_KEY = Redacted.make("d0d0d0d0000000000000000000000003")

/** Demo credentials (documented in README's tour). Bearer tokens for people, one API key for a system. */
export const DEMO_TOKENS = {
  "demo-city-officer": { role: "city", id: "demo-city" },
  "demo-pudong-officer": { role: "district", id: "demo-pudong", district: "310115" },
  "demo-xuhui-officer": { role: "district", id: "demo-xuhui", district: "310104" },
  "demo-operator-officer": { role: "operator", id: "demo-operator", projectIds: ["DEMO-PD-001"] },
  "demo-applicant-wang": { role: "applicant", id: "demo-wang", idNumber: "310115198503120012" },
  "demo-banjianku-api-key": { role: "system", id: "demo-banjianku", districts: "all" },
} as const satisfies TokenTable

export const DEMO_CASE_ID = "DEMO-GZ-0001"

const pudong: Actor = { role: "district", id: "demo-pudong", district: "310115" }

/** Who the seeding acts as in the audit log (role `demo`): its decryptions are recorded like any other. */
const DEMO_AUDIT = auditContextFor({ id: "demo-seed", role: "demo" }, { requestId: "demo-seed" })

/** Opens the demo 公租 case (offline entry for the demo estate's Pudong project) and submits it. */
export const seedDemoCases = Effect.gen(function* () {
  yield* openCaseCommand(
    pudong,
    {
      id: DEMO_CASE_ID,
      kind: "gongzu",
      channel: "offline",
      district: "310115",
      projectId: "DEMO-PD-001",
      members: [{ role: "applicant", name: "王五", idNumber: "310115198503120012", phone: "13800138000" }],
      requiredMaterials: ["id_card", "income_proof"],
      receivedMaterials: ["id_card", "income_proof"],
    },
    "demo-seed-open",
  )
  const submitted = yield* runCaseCommand(pudong, DEMO_CASE_ID, { type: "submitDraft" }, "demo-seed-submit")
  return [{ id: DEMO_CASE_ID, state: submitted.state }]
}).pipe(withAuditContext(DEMO_AUDIT))
