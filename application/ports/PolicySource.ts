/**
 * PolicySource: where the policy parameter files (政策参数文件) come from — the shipped `policy/` folder,
 * a caller's directory, or memory. `load` returns every `.yaml` file as `{ name, text }`, sorted by
 * name, with at least one file; parsing and validation are the domain's (`loadPolicy`). One error type
 * with a `reason` union; only `Unavailable` (a transient I/O failure) is retryable.
 */
import { Context, Data, type Effect } from "effect"
import type { PolicyFile } from "../../domain/policy/PolicyTable.js"

export type PolicySourceErrorReason =
  /** The location does not exist or is not a directory. */
  | { readonly _tag: "NotFound"; readonly location: string }
  /** The location exists but holds no policy file. */
  | { readonly _tag: "Empty"; readonly location: string }
  /** A file could not be read or is not UTF-8 text. */
  | { readonly _tag: "Unreadable"; readonly location: string; readonly detail: string }
  /** A transient failure (busy file system, network share): safe to retry. */
  | { readonly _tag: "Unavailable"; readonly location: string; readonly detail: string }

export class PolicySourceError extends Data.TaggedError("PolicySourceError")<{
  readonly reason: PolicySourceErrorReason
}> {
  override get message(): string {
    const r = this.reason
    return r._tag === "NotFound"
      ? `no policy directory at ${r.location}`
      : r._tag === "Empty"
        ? `no .yaml policy file in ${r.location}`
        : `${r.location}: ${r.detail}`
  }
  get isRetryable(): boolean {
    return this.reason._tag === "Unavailable"
  }
}

export class PolicySource extends Context.Service<
  PolicySource,
  {
    /** Every policy file, sorted by name; never empty on success. */
    readonly load: () => Effect.Effect<ReadonlyArray<PolicyFile>, PolicySourceError>
  }
>()("anju/PolicySource") {}
