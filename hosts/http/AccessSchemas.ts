/**
 * Wire shapes of the login and identity-administration API as Effect Schemas: request bodies and queries
 * (decoded exactly with STRICT: unknown fields refused, required fields required; text without NUL or lone
 * surrogates; ids, login names, role names and districts as the store enforces them) and the responses,
 * which never carry a password, a password hash or a stored digest. Used by AccessRoutes and the OpenAPI
 * document. Times in answers are ISO 8601 (UTC).
 */
import { Schema } from "effect"
import { ACTOR_ROLES, PERMISSIONS } from "../../domain/access/Access.js"
import { PASSWORD_POLICY } from "../../domain/access/Identity.js"
import { IdText, SAFE_TEXT, SafeText } from "./HttpSchemas.js"

const RoleName = Schema.String.check(Schema.isPattern(/^[a-z][a-z0-9-]{1,47}$/u)).annotate({
  description: "Role name: 2–48 of a-z 0-9 -, starting with a letter",
})
const LoginName = Schema.String.check(Schema.isPattern(/^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$/u)).annotate({
  description: "Login name: 3–64 of letters, digits . _ - @ (compared case-insensitively)",
})
const District = Schema.String.check(Schema.isPattern(/^[0-9]{6}$/u)).annotate({
  description: "District code (GB/T 2260, six digits)",
})
const Ids = (description: string) =>
  Schema.Array(IdText(description)).check(Schema.isMinLength(1), Schema.isMaxLength(500))
const Password = Schema.String.check(
  Schema.isPattern(SAFE_TEXT),
  Schema.isMinLength(1),
  Schema.isMaxLength(PASSWORD_POLICY.maxLength * 2),
).annotate({
  description: `Password: at least ${PASSWORD_POLICY.minLength} characters, not containing the login name`,
})
const Roles = Schema.Array(RoleName)
  .check(Schema.isMaxLength(50))
  .annotate({ description: "Granted role names" })
const Permission = Schema.Literals(PERMISSIONS)
const Districts = Schema.Union([Schema.Literal("all"), Schema.Array(District).check(Schema.isMaxLength(100))])

export const ScopeInput = Schema.Union([
  Schema.Struct({ role: Schema.Literal("city") }),
  Schema.Struct({ role: Schema.Literal("district"), district: District }),
  Schema.Struct({ role: Schema.Literal("operator"), projectIds: Ids("Project id") }),
  Schema.Struct({ role: Schema.Literal("propertyArea"), areaIds: Ids("Property management area id") }),
  Schema.Struct({ role: Schema.Literal("household"), householdIds: Ids("Household id") }),
  Schema.Struct({
    role: Schema.Literal("applicant"),
    idIndex: Schema.String.check(Schema.isPattern(/^[0-9a-f]{16,128}$/u)).annotate({
      description: "FieldCipher blind index of the applicant's ID number",
    }),
  }),
  Schema.Struct({ role: Schema.Literal("system"), districts: Districts }),
]).annotate({ identifier: "IdentityScope", description: "Data scope (数据范围): the kind and its ids" })

export const LoginInput = Schema.Struct({
  login: Schema.String.check(Schema.isPattern(SAFE_TEXT), Schema.isMinLength(1), Schema.isMaxLength(128)),
  password: Password,
}).annotate({ identifier: "LoginInput" })

export const LoginAnswer = Schema.Struct({
  token: Schema.String.annotate({
    description: "Session token (Bearer); shown once, stored only as a digest",
  }),
  tokenType: Schema.Literal("Bearer"),
  expiresAt: Schema.String.annotate({ description: "ISO 8601 expiry" }),
}).annotate({ identifier: "LoginAnswer" })

export const LogoutAnswer = Schema.Struct({
  revoked: Schema.Boolean.annotate({
    description: "Whether the bearer was a session token that is now revoked",
  }),
}).annotate({ identifier: "LogoutAnswer" })

export const MeAnswer = Schema.Struct({
  id: Schema.String,
  scope: Schema.Struct({ role: Schema.Literals(ACTOR_ROLES) }).annotate({
    description: "The data scope and its ids",
  }),
  permissions: Schema.Array(Permission),
}).annotate({ identifier: "MeAnswer" })

export const UserInput = Schema.Struct({
  id: IdText("User id"),
  login: LoginName,
  displayName: SafeText("Display name (姓名)", 100),
  scope: ScopeInput,
  roles: Roles,
  password: Schema.optionalKey(Password),
}).annotate({ identifier: "UserInput" })

export const RolesInput = Schema.Struct({ roles: Roles }).annotate({ identifier: "RolesInput" })
export const PasswordInput = Schema.Struct({ password: Password }).annotate({ identifier: "PasswordInput" })
export const EmptyInput = Schema.Struct({}).annotate({ identifier: "EmptyInput" })

export const RoleInput = Schema.Struct({
  name: RoleName,
  description: SafeText("What the role is for", 200),
  permissions: Schema.Array(Permission).check(Schema.isMaxLength(PERMISSIONS.length)),
}).annotate({ identifier: "RoleInput" })

export const RoleUpdateInput = Schema.Struct({
  description: SafeText("What the role is for", 200),
  permissions: Schema.Array(Permission).check(Schema.isMaxLength(PERMISSIONS.length)),
}).annotate({ identifier: "RoleUpdateInput" })

export const ApiKeyInput = Schema.Struct({
  id: IdText("API key id"),
  label: SafeText("The system it is for (e.g. 民政局核查系统)", 100),
  districts: Districts,
  roles: Roles,
}).annotate({ identifier: "ApiKeyInput" })

const IsoFromMillis = Schema.String.annotate({ description: "ISO 8601 (UTC)" })

export const UserView = Schema.Struct({
  id: Schema.String,
  login: Schema.String,
  displayName: Schema.String,
  scope: ScopeInput,
  roles: Schema.Array(Schema.String),
  status: Schema.Literals(["active", "disabled"]),
  hasPassword: Schema.Boolean,
  createdAt: IsoFromMillis,
  updatedAt: IsoFromMillis,
}).annotate({ identifier: "IdentityUser" })
export const UserList = Schema.Struct({ items: Schema.Array(UserView) }).annotate({ identifier: "UserList" })

export const RoleView = Schema.Struct({
  name: Schema.String,
  description: Schema.String,
  permissions: Schema.Array(Permission),
  builtIn: Schema.Boolean,
}).annotate({ identifier: "IdentityRole" })
export const RoleList = Schema.Struct({ items: Schema.Array(RoleView) }).annotate({ identifier: "RoleList" })

export const ApiKeyView = Schema.Struct({
  id: Schema.String,
  label: Schema.String,
  districts: Districts,
  roles: Schema.Array(Schema.String),
  createdAt: IsoFromMillis,
  createdBy: Schema.String,
  revokedAt: Schema.NullOr(IsoFromMillis),
}).annotate({ identifier: "ApiKey" })
export const ApiKeyList = Schema.Struct({ items: Schema.Array(ApiKeyView) }).annotate({
  identifier: "ApiKeyList",
})
export const ApiKeyIssued = Schema.Struct({
  key: Schema.String.annotate({ description: "The key (X-Api-Key); shown once, stored only as a digest" }),
  apiKey: ApiKeyView,
}).annotate({ identifier: "ApiKeyIssued" })

export const SessionsRevoked = Schema.Struct({ revoked: Schema.Int }).annotate({
  identifier: "SessionsRevoked",
})

export const LoginRecordView = Schema.Struct({
  at: IsoFromMillis,
  login: Schema.String,
  userId: Schema.NullOr(Schema.String),
  ip: Schema.String,
  outcome: Schema.Literals(["success", "failure", "locked"]),
}).annotate({ identifier: "LoginRecord" })
export const LoginLog = Schema.Struct({ items: Schema.Array(LoginRecordView) }).annotate({
  identifier: "LoginLog",
})

const Instant = Schema.String.check(
  Schema.isPattern(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/u),
).annotate({
  description: "ISO 8601 date-time with offset",
})

export const LoginLogQuery = Schema.Struct({
  login: Schema.optionalKey(LoginName),
  userId: Schema.optionalKey(IdText("User id")),
  since: Schema.optionalKey(Instant),
  until: Schema.optionalKey(Instant),
  limit: Schema.optionalKey(
    Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 1000 })),
  ),
}).annotate({ identifier: "LoginLogQuery" })

export const AccessProblem = Schema.Struct({
  error: Schema.String,
  message: Schema.String,
  field: Schema.optionalKey(Schema.String),
  rule: Schema.optionalKey(Schema.String),
  retryAfterSeconds: Schema.optionalKey(Schema.Int),
}).annotate({
  identifier: "AccessProblem",
  description: "4xx/503 of the access API; never a secret or store text",
})

/** The OpenAPI component roots of the access API (request and response bodies, problems). */
export const ACCESS_COMPONENTS = [
  LoginInput,
  LoginAnswer,
  LogoutAnswer,
  MeAnswer,
  UserInput,
  RolesInput,
  PasswordInput,
  EmptyInput,
  RoleInput,
  RoleUpdateInput,
  ApiKeyInput,
  UserView,
  UserList,
  RoleView,
  RoleList,
  ApiKeyView,
  ApiKeyList,
  ApiKeyIssued,
  SessionsRevoked,
  LoginRecordView,
  LoginLog,
  AccessProblem,
] as const
