/**
 * Wire shapes of the qualification-case routes (资格案件) as Effect Schemas: request bodies (decoded
 * exactly in CaseRoutes — unknown fields refused, one body schema per command, ids as the database
 * enforces them, text without NUL or lone surrogates; rules such as GB 11643 ID numbers stay in the
 * use-cases and answer 422), responses, and the OpenAPI components built from them. Responses never carry a clear ID number
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
import { COMMAND_TYPES, type CaseCommandType } from "../../domain/cases/CaseMachine.js"
import { IdText, SafeText } from "./HttpSchemas.js"

const Text = (description: string) => SafeText(description)
const OutText = (description: string) => Schema.String.annotate({ description })
const Instant = (description: string) =>
  Schema.Number.annotate({ description: `${description}, epoch milliseconds` })
const CaseIdText = IdText("Case id, chosen by the caller")
const DateText = (description: string) =>
  Schema.String.check(Schema.isPattern(/^\d{4}-\d{2}-\d{2}$/u)).annotate({ description })
const Materials = (description: string) =>
  Schema.Array(SafeText("Material name", 200)).check(Schema.isMaxLength(100)).annotate({ description })

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
  projectId: Schema.optionalKey(Schema.NullOr(IdText("Project applied for"))),
  members: Schema.Array(MemberInput).check(Schema.isMaxLength(20)),
  requiredMaterials: Schema.optionalKey(Materials("Materials the case requires")),
  receivedMaterials: Schema.optionalKey(Materials("Materials received")),
  predecessorId: Schema.optionalKey(
    Schema.NullOr(IdText("复核 (R78): the admitted or expired case re-reviewed")),
  ),
  economy: Schema.optionalKey(
    Schema.Struct({
      householdSize: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 50 })),
      annualDisposableIncome: Text("Yuan as text, e.g. 39600.00"),
      property: Text("Yuan as text"),
      illnessPoverty: Schema.optionalKey(Schema.Boolean),
    }),
  ),
}).annotate({ identifier: "OpenCaseInput" })

const Reason = (description: string) => SafeText(description, 2000)
const NoBody = (command: string) =>
  Schema.Record(Schema.String, Schema.Never).annotate({
    identifier: `${command}CommandInput`,
    description: "No members: an empty object (or no body)",
  })
const notice = (command: string) =>
  Schema.Struct({
    objection: Schema.Boolean.annotate({ description: "Whether an objection was raised" }),
    upheld: Schema.optionalKey(Schema.Boolean.annotate({ description: "Whether the objection is upheld" })),
    opinion: Schema.optionalKey(Reason("The opinion on an objection (the closure reason if upheld)")),
  }).annotate({ identifier: `${command}CommandInput` })

/** Commands reachable at `POST /cases/{id}/commands/{command}` (`recordCheck` only through `verify`). */
export const ROUTE_COMMANDS = COMMAND_TYPES.filter(
  (c): c is Exclude<CaseCommandType, "recordCheck"> => c !== "recordCheck",
)
export type RouteCommand = (typeof ROUTE_COMMANDS)[number]

/** The exact body of each command: its required members required, nothing else accepted. */
export const COMMAND_BODIES: { readonly [K in RouteCommand]: Schema.Codec<unknown, unknown> } = {
  updateDraft: Schema.Struct({
    members: Schema.optionalKey(Schema.Array(MemberInput).check(Schema.isMaxLength(20))),
    materials: Schema.optionalKey(Materials("Received materials")),
  }).annotate({ identifier: "updateDraftCommandInput" }),
  submitDraft: NoBody("submitDraft"),
  signIn: NoBody("signIn"),
  passPreReview: NoBody("passPreReview"),
  failPreReview: Schema.Struct({ reason: Reason("Why pre-review failed") }).annotate({
    identifier: "failPreReviewCommandInput",
  }),
  accept: NoBody("accept"),
  reject: Schema.Struct({ reason: Reason("Why the case is rejected") }).annotate({
    identifier: "rejectCommandInput",
  }),
  requestSupplement: Schema.Struct({ materials: Materials("Materials requested") }).annotate({
    identifier: "requestSupplementCommandInput",
  }),
  submitSupplement: Schema.Struct({ materials: Materials("Materials submitted") }).annotate({
    identifier: "submitSupplementCommandInput",
  }),
  completeVerification: NoBody("completeVerification"),
  failReview: Schema.Struct({ reason: Reason("At least 15 characters (R68)") }).annotate({
    identifier: "failReviewCommandInput",
  }),
  approveFirstReview: Schema.Struct({ location: Text("Where the notice is posted") }).annotate({
    identifier: "approveFirstReviewCommandInput",
  }),
  concludeFirstNotice: notice("concludeFirstNotice"),
  approveSecondReview: Schema.Struct({ location: Text("Where the notice is posted") }).annotate({
    identifier: "approveSecondReviewCommandInput",
  }),
  concludeOnlineNotice: notice("concludeOnlineNotice"),
  admit: Schema.Struct({
    certificateNumber: Text("准入资格编号"),
    validFrom: Schema.optionalKey(DateText("共有产权: YYYY-MM-DD")),
    validUntil: Schema.optionalKey(DateText("共有产权: YYYY-MM-DD, at most 3 years")),
  }).annotate({ identifier: "admitCommandInput" }),
  tick: NoBody("tick"),
  abandon: NoBody("abandon"),
  cancel: Schema.Struct({ reason: Reason("Why the case is cancelled") }).annotate({
    identifier: "cancelCommandInput",
  }),
  delete: Schema.Struct({ approvedBy: Text("R70: the approving city officer") }).annotate({
    identifier: "deleteCommandInput",
  }),
}

export const VerifyInput = Schema.Struct({
  sources: Schema.optionalKey(
    Schema.Array(CheckSource).check(Schema.isMaxLength(20)).annotate({
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
  next: Schema.NullOr(OutText("Pass as `after` for the next page")),
}).annotate({ identifier: "CaseList" })

const MaskedMember = Schema.Struct({
  role: MemberRole,
  name: OutText("Masked: first character only"),
  idNumber: OutText("Masked: 310115********0012"),
  phone: Schema.NullOr(OutText("Masked: 138****8000")),
  bankCard: Schema.NullOr(OutText("Masked: ****3445")),
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
  error: OutText(
    "CaseAccessDenied, CaseNotFound, CaseTransitionRefused, IdempotencyKeyReused, CaseBlockedByGuard, CaseInputRejected, ActorVerifierError, AgencyRecordsError, invalid_request, …",
  ),
  rule: Schema.optionalKey(OutText("Stable rule id, e.g. R57.missing-material, case.illegal-transition")),
  message: Schema.String,
  issues: Schema.optionalKey(
    Schema.Array(
      Schema.Struct({ field: Schema.String, rule: Schema.String, message: Schema.String }),
    ).annotate({
      description: "CaseInputRejected: each rejected field and its rule (values are never echoed)",
    }),
  ),
}).annotate({ identifier: "CaseProblem" })

export const CASE_COMPONENTS = [
  OpenCaseInput,
  ...Object.values(COMMAND_BODIES),
  VerifyInput,
  LookupInput,
  CaseOutcome,
  CaseList,
  CaseDetail,
  CaseLookup,
  CaseProblem,
] as const
