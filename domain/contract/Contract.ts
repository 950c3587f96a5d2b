/**
 * Lease and purchase contracts (网签备案, R89–R107, R166, R167) as immutable values. A contract binds one
 * tenant (person or corporate, R106) to one stock unit for a term; `version` counts accepted changes. While
 * it HOLDS its unit (draft 草签/签约, awaiting_tenant 乙方待签, registered 备案/在租) no other contract may hold
 * it; once registered it has been IN FORCE from `term.start` to its last day (`endedOn ?? term.end`).
 * Personal data never appears in clear: people are named by the FieldCipher blind index of their ID number.
 */
import { Schema } from "effect"
import { CivilDate } from "../values/CivilDate.js"
import { Money } from "../values/Money.js"
import { UnifiedSocialCreditCode } from "../values/UnifiedSocialCreditCode.js"

/** Client-chosen contract ids: letters, digits, `.`, `_`, `-`; 1–64 characters. */
export const ContractId = Schema.String.pipe(
  Schema.check(Schema.isPattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/u)),
  Schema.brand("ContractId"),
)
export type ContractId = typeof ContractId.Type

/**
 * Contract kinds: 保租 `baozu` (R166 machine); general tenancy 公租 `gongzu` / 廉租 `lianzu` (R167 machine);
 * 共有产权 purchase `gongyou-presale` 预售 (预告登记) and `gongyou-sale` 出售 (产权登记), R105. Deposit contracts
 * (定金合同) are run by the developer and are not kept here (R105).
 */
export const CONTRACT_KINDS = ["baozu", "gongzu", "lianzu", "gongyou-presale", "gongyou-sale"] as const
export const ContractKind = Schema.Literals(CONTRACT_KINDS).annotate({
  description:
    "baozu 保租 | gongzu 公租 | lianzu 廉租 | gongyou-presale 共有产权预售 | gongyou-sale 共有产权出售",
})
export type ContractKind = typeof ContractKind.Type

/**
 * States. Holding: draft 草签 (R166) / 签约 (R167), awaiting_tenant 乙方待签 (R92), registered 备案 / 生效·在租.
 * Ended: revoked 合同撤销 (never registered, unit restored), exited 退出网签备案 (unit 不可使用, R38),
 * moved_out 退租 (R100), renewed 续签 (a successor holds the unit, R99), exchanged 换房 (R102).
 */
export const CONTRACT_STATES = [
  "draft",
  "awaiting_tenant",
  "registered",
  "revoked",
  "exited",
  "moved_out",
  "renewed",
  "exchanged",
] as const
export const ContractState = Schema.Literals(CONTRACT_STATES)
export type ContractState = typeof ContractState.Type

export const CONTRACT_STATE_LABELS: Record<ContractState, string> = {
  draft: "草签/签约",
  awaiting_tenant: "乙方待签",
  registered: "备案/在租",
  revoked: "合同撤销",
  exited: "退出网签备案",
  moved_out: "已退租",
  renewed: "已续签",
  exchanged: "已换房",
}

/** States in which the contract holds its unit (person–house bound, 人房关联). */
export const HOLDING_STATES: ReadonlyArray<ContractState> = ["draft", "awaiting_tenant", "registered"]
export const holdsUnit = (s: ContractState): boolean => HOLDING_STATES.includes(s)

/** R106: a corporate tenant (单位承租) must carry all five fields ("强制校验"). */
export const CorporateTenant = Schema.Struct({
  type: Schema.Literal("corporate"),
  name: Schema.String,
  uscc: UnifiedSocialCreditCode,
  contactName: Schema.String,
  contactPhone: Schema.String,
  address: Schema.String,
})
export type CorporateTenant = typeof CorporateTenant.Type

/** A person tenant: the qualification case it comes from and the blind index of the ID number. */
export const PersonTenant = Schema.Struct({
  type: Schema.Literal("person"),
  caseId: Schema.String,
  personIndex: Schema.String,
})
export type PersonTenant = typeof PersonTenant.Type

export const Tenant = Schema.Union([PersonTenant, CorporateTenant])
export type Tenant = typeof Tenant.Type

/** Who lives in the unit (居住使用人): main tenant 主承租人, co-resident 同住人, temporary occupant 临时人. */
export const Occupant = Schema.Struct({
  personIndex: Schema.String,
  role: Schema.Literals(["main", "co-resident", "temporary"]),
  since: CivilDate,
  /** R101: the day an occupant left (recorded, never erased). */
  leftOn: Schema.NullOr(CivilDate),
})
export type Occupant = typeof Occupant.Type

export const Term = Schema.Struct({ start: CivilDate, end: CivilDate })
export type Term = typeof Term.Type

export const END_REASONS = [
  "revoked",
  "exit",
  "moved-out-expiry",
  "moved-out-early",
  "renewed",
  "exchanged",
] as const
export const EndReason = Schema.Literals(END_REASONS)
export type EndReason = typeof EndReason.Type

/** An approved supplementary-clause template (R94) as used by a contract: its id and approved version. */
export const ClauseRef = Schema.Struct({ templateId: Schema.String, version: Schema.Int })
export type ClauseRef = typeof ClauseRef.Type

export const Contract = Schema.Struct({
  id: ContractId,
  kind: ContractKind,
  state: ContractState,
  projectId: Schema.String,
  district: Schema.String,
  unitId: Schema.String,
  /** `<bedrooms>-<halls>` of the unit (R93 matches it exactly). */
  unitType: Schema.String,
  /** The selection binding it was drafted from (选房 session and family), when there is one. */
  binding: Schema.NullOr(Schema.Struct({ sessionId: Schema.String, family: Schema.String })),
  tenant: Tenant,
  occupants: Schema.Array(Occupant),
  term: Term,
  /** Monthly rent (or, for 共有产权, the total price), fen; read from the unit. */
  rent: Money,
  clauses: Schema.Array(ClauseRef),
  /**
   * Seam for the document/e-seal side: the number of the rendered contract document, the digest of the
   * lessor-stamped file (R92), the digest of the complete file with the tenant's signature (R89/R90).
   */
  documentNumber: Schema.NullOr(Schema.String),
  lessorFileDigest: Schema.NullOr(Schema.String),
  signedFileDigest: Schema.NullOr(Schema.String),
  tenantSignedAt: Schema.NullOr(Schema.Finite),
  /** R107: unique 备案号; `registeredAt` epoch ms, whole seconds. */
  registrationNumber: Schema.NullOr(Schema.String),
  registeredAt: Schema.NullOr(Schema.Finite),
  /** The last day in force (or, for a revocation, the day it was revoked). */
  endedOn: Schema.NullOr(CivilDate),
  endReason: Schema.NullOr(EndReason),
  endedAt: Schema.NullOr(Schema.Finite),
  predecessorId: Schema.NullOr(Schema.String),
  successorId: Schema.NullOr(Schema.String),
  /** R98/R107 statistics: how often the registration notice was printed. */
  noticePrints: Schema.Int,
  createdAt: Schema.Finite,
  createdBy: Schema.String,
  version: Schema.Int,
})
export type Contract = typeof Contract.Type

/** The general-tenancy (R167) kinds; 保租 follows R166, 共有产权 its purchase flow (R104/R105). */
export const isGeneralTenancy = (k: ContractKind): boolean => k === "gongzu" || k === "lianzu"
export const isGongyou = (k: ContractKind): boolean => k === "gongyou-presale" || k === "gongyou-sale"

/**
 * R105: what the registration centre may do with a registered 共有产权 contract: a presale contract backs an
 * advance registration (预告登记), a sale contract a title registration (产权登记); tenancies neither.
 */
export const registrationPurpose = (k: ContractKind): "advance-registration" | "title-registration" | null =>
  k === "gongyou-presale" ? "advance-registration" : k === "gongyou-sale" ? "title-registration" : null

/** R94 supplementary-clause template (补充条款模板) with its review status; only `approved` ones are used. */
export const ClauseStatus = Schema.Literals(["draft", "submitted", "approved", "rolled_back"])
export type ClauseStatus = typeof ClauseStatus.Type

export const ClauseTemplate = Schema.Struct({
  id: Schema.String,
  title: Schema.String,
  text: Schema.String,
  /** The contract kind it applies to; null: every kind. */
  kind: Schema.NullOr(ContractKind),
  status: ClauseStatus,
  version: Schema.Int,
})
export type ClauseTemplate = typeof ClauseTemplate.Type

/** R97 violation record (违规违约记录) of a person (by ID-number blind index); open until rectified. */
export const Violation = Schema.Struct({
  id: Schema.String,
  personIndex: Schema.String,
  projectId: Schema.String,
  content: Schema.String,
  occurredOn: CivilDate,
  /** R97: entering the rectification date closes the violation. */
  rectifiedOn: Schema.NullOr(CivilDate),
  version: Schema.Int,
})
export type Violation = typeof Violation.Type
