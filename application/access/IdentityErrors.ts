/**
 * Expected failures of the identity use-cases, as tagged values. None carries a password, token or key,
 * and LoginFailed is the same value whether the login name is unknown, the password wrong or the user
 * disabled (no user enumeration). Hosts map them to statuses; the domain knows no HTTP.
 */
import { Data } from "effect"

/** Unknown login name, wrong password or disabled user: deliberately indistinguishable. */
export class LoginFailed extends Data.TaggedError("LoginFailed")<Record<never, never>> {
  override get message(): string {
    return "the login name or password is not correct"
  }
}

/** Too many failures: the login name is locked until `until` (#221, R158). */
export class LoginLocked extends Data.TaggedError("LoginLocked")<{
  readonly until: number
  /** Whole seconds, at least 1. */
  readonly retryAfterSeconds: number
}> {
  override get message(): string {
    return `too many failed logins: try again in ${this.retryAfterSeconds} s`
  }
}

/** A field of an identity command breaks a rule (login name, role name, permission, password policy). */
export class IdentityInputRejected extends Data.TaggedError("IdentityInputRejected")<{
  readonly field: string
  readonly rule: string
  readonly message: string
}> {}

export class IdentityNotFound extends Data.TaggedError("IdentityNotFound")<{
  readonly entity: "user" | "role" | "apiKey"
  readonly id: string
}> {
  override get message(): string {
    return `no ${this.entity} ${this.id}`
  }
}

/** The id, login name or role name is taken, or a built-in role was to be changed. */
export class IdentityConflict extends Data.TaggedError("IdentityConflict")<{
  readonly entity: "user" | "role" | "apiKey"
  readonly id: string
  readonly message: string
}> {}
