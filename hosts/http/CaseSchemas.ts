/**
 * Wire shapes of the qualification-case routes (资格案件) as Effect Schemas: request bodies (validated in
 * CaseRoutes for JSON types only — rules such as GB 11643 ID numbers stay in the use-cases and answer
 * 422), responses, and the OpenAPI components built from them. Responses never carry a clear ID number
 * or phone: members are masked (`310115********0012`). Instants are epoch milliseconds.
 */
import { Schema } from "effect"
import {
  CaseKind,
  CaseState,
  Certificate,
  CheckSource,
  Evidence,
  IntakeChannel,
  MemberRole,
  Notice,
} from "../../domain/cases/Case.js"
import { COMMAND_TYPES } from "../../domain/cases/CaseMachine.js"

const Text = (description: string) => Schema.String.annotate({ description })
const Instant = (description: string) =>
  Schema.Number.annotate({ description: `${description}, epoch milliseconds` })
const CaseIdText = Text("Case id: 1–64 of A-Z a-z 0-9 . _ -, chosen by the caller")

export const MemberInput = Schema.Struct({
  role: MemberRole,
  name: Text("姓名"),
  idNumber: Text("居民身份证号码 (GB 11643); only in bodies, never in URLs or logs"),
  phone: Schema.optionalKey(Schema.NullOr(Text("手机号码"))),
  bankCard: Schema.optionalKey(Schema.NullOr(Text("银行卡号, 12–19 digits"))),
}).annotate({ identifier: "CaseMemberInput" })

export const OpenCaseInput = Schema.Struct({
  id: CaseIdText,
  kind: CaseKind,
  channel: IntakeChannel.annotate({
    description:
      "online 办件库 pull (systems, applicants) | window 一窗通办 push (systems) | offline entry by officers (draft)",
  }),
  district: Text("Acceptance district (GB/T 2260, six digits)"),
  projectId: Schema.optionalKey(Schema.NullOr(Text("Project applied for"))),
  members: Schema.Array(MemberInput),
  requiredMaterials: Schema.optionalKey(Schema.Array(Schema.String)),
  receivedMaterials: Schema.optionalKey(Schema.Array(Schema.String)),
  predecessorId: Schema.optionalKey(
    Schema.NullOr(Text("复核 (R78): the admitted or expired case re-reviewed")),
  ),
  economy: Schema.optionalKey(
    Schema.Struct({
      householdSize: Schema.Int,
      annualDisposableIncome: Text("Yuan as text, e.g. 39600.00"),
      property: Text("Yuan as text"),
      illnessPoverty: Schema.optionalKey(Schema.Boolean),
    }),
  ),
}).annotate({ identifier: "OpenCaseInput" })

/** One body for every command; each command reads its own members (see the command's description). */
export const CaseCommandInput = Schema.Struct({
  reason: Schema.optionalKey(
    Text("reject, failPreReview, cancel; failReview needs at least 15 characters (R68)"),
  ),
  materials: Schema.optionalKey(
    Schema.Array(Schema.String).annotate({
      description: "requestSupplement, submitSupplement, updateDraft (received materials)",
    }),
  ),
  members: Schema.optionalKey(Schema.Array(MemberInput).annotate({ description: "updateDraft" })),
  location: Schema.optionalKey(Text("approveFirstReview / approveSecondReview: where the notice is posted")),
  objection: Schema.optionalKey(
    Schema.Boolean.annotate({ description: "concludeFirstNotice / concludeOnlineNotice" }),
  ),
  upheld: Schema.optionalKey(Schema.Boolean.annotate({ description: "whether the objection is upheld" })),
  opinion: Schema.optionalKey(Text("the opinion on an objection (the closure reason if upheld)")),
  certificateNumber: Schema.optionalKey(Text("admit: 准入资格编号")),
  validFrom: Schema.optionalKey(Text("admit (共有产权): YYYY-MM-DD")),
  validUntil: Schema.optionalKey(Text("admit (共有产权): YYYY-MM-DD, at most 3 years")),
  approvedBy: Schema.optionalKey(Text("delete (R70): the approving city officer")),
}).annotate({ identifier: "CaseCommandInput" })

export const VerifyInput = Schema.Struct({
  sources: Schema.optionalKey(
    Schema.Array(CheckSource).annotate({
      description: "Default: the outstanding checks, minus those R58 forbids calling automatically",
    }),
  ),
}).annotate({ identifier: "VerifyInput" })

export const LookupInput = Schema.Struct({
  idNumber: Text("ID number of a main or co-applicant (R5)"),
}).annotate({ identifier: "CaseLookupInput" })

export const CaseOutcome = Schema.Struct({
  caseId: Schema.String,
  state: CaseState,
  version: Schema.Int,
  replayed: Schema.Boolean.annotate({
    description: "True when the Idempotency-Key had served this very request: nothing was written",
  }),
  warnings: Schema.Array(
    Schema.Struct({ rule: Schema.String, level: Schema.String, message: Schema.String }),
  ).annotate({ description: "Fairness-guard signals (公平卫士) raised by this command" }),
}).annotate({ identifier: "CaseOutcome" })

export const CaseSummary = Schema.Struct({
  id: Schema.String,
  kind: CaseKind,
  state: CaseState,
  district: Schema.String,
  projectId: Schema.NullOr(Schema.String),
  predecessorId: Schema.NullOr(Schema.String),
  tags: Schema.Array(Schema.String),
  version: Schema.Int,
  updatedAt: Instant("Last change"),
}).annotate({ identifier: "CaseSummary" })

export const CaseList = Schema.Struct({
  items: Schema.Array(CaseSummary),
  next: Schema.NullOr(Text("Pass as `after` for the next page")),
}).annotate({ identifier: "CaseList" })

const MaskedMember = Schema.Struct({
  role: MemberRole,
  name: Text("Masked: first character only"),
  idNumber: Text("Masked: 310115********0012"),
  phone: Schema.NullOr(Text("Masked: 138****8000")),
  bankCard: Schema.NullOr(Text("Masked: ****3445")),
})

const HistoryEntry = Schema.Struct({
  caseId: Schema.String,
  version: Schema.Int,
  at: Instant("When"),
  actorId: Schema.String,
  actorRole: Schema.String,
  command: Schema.String,
  from: Schema.NullOr(CaseState),
  to: CaseState,
  note: Schema.String,
})

export const CaseDetail = Schema.Struct({
  case: Schema.Struct({
    id: Schema.String,
    kind: CaseKind,
    state: CaseState,
    version: Schema.Int,
    channel: IntakeChannel,
    district: Schema.String,
    projectId: Schema.NullOr(Schema.String),
    members: Schema.Array(MaskedMember),
    materials: Schema.Struct({
      required: Schema.Array(Schema.String),
      received: Schema.Array(Schema.String),
    }),
    predecessorId: Schema.NullOr(Schema.String),
    tags: Schema.Array(Schema.String),
    resumeTo: Schema.NullOr(CaseState),
    evidence: Schema.Array(Evidence),
    firstNotice: Schema.NullOr(Notice),
    onlineNotice: Schema.NullOr(Notice),
    certificate: Schema.NullOr(Certificate),
    closure: Schema.NullOr(Schema.Struct({ at: Schema.Number, reason: Schema.String })),
    economy: Schema.NullOr(Schema.Unknown),
    receivedAt: Instant("Intake"),
    updatedAt: Instant("Last change"),
  }),
  history: Schema.Array(HistoryEntry),
  inReview: Schema.Boolean.annotate({ description: "Holds the family's in-review slot (R12)" }),
}).annotate({ identifier: "CaseDetail" })

const KindLookup = Schema.Struct({
  inProgress: Schema.Array(CaseSummary),
  qualifications: Schema.Array(CaseSummary),
})
export const CaseLookup = Schema.Struct({
  gongzu: KindLookup,
  baozu: KindLookup,
  lianzu: KindLookup,
  gongyou: KindLookup,
}).annotate({ identifier: "CaseLookup", description: "R5: valid cases only (R1), grouped by kind" })

export const CaseProblem = Schema.Struct({
  error: Text(
    "CaseAccessDenied, CaseNotFound, CaseTransitionRefused, IdempotencyKeyReused, CaseBlockedByGuard, CaseInputRejected, ActorVerifierError, AgencyRecordsError, invalid_request, …",
  ),
  rule: Schema.optionalKey(Text("Stable rule id, e.g. R57.missing-material, case.illegal-transition")),
  message: Schema.String,
  issues: Schema.optionalKey(
    Schema.Array(
      Schema.Struct({ field: Schema.String, rule: Schema.String, message: Schema.String }),
    ).annotate({
      description: "CaseInputRejected: each rejected field and its rule (values are never echoed)",
    }),
  ),
}).annotate({ identifier: "CaseProblem" })

/** Commands reachable at `POST /cases/{id}/commands/{command}` (`recordCheck` only through `verify`). */
export const ROUTE_COMMANDS = COMMAND_TYPES.filter((c) => c !== "recordCheck")

export const CASE_COMPONENTS = [
  OpenCaseInput,
  CaseCommandInput,
  VerifyInput,
  LookupInput,
  CaseOutcome,
  CaseList,
  CaseDetail,
  CaseLookup,
  CaseProblem,
] as const
