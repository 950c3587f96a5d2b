/**
 * KeyRing: where the software KMS keeps its key versions — each version's key material sealed under the
 * master key (never in clear), its state and creation time. Adapter-internal (not an application port):
 * the memory ring here, the database ring in adapters/postgres/PgKeyRing.ts (`kms_key_versions`).
 * `addVersion` is atomic: the new version becomes current and the old current one `previous`, or nothing
 * changes ("conflict") when another process added that version first.
 */
import { Context, Effect, Layer } from "effect"
import type { KeyManagementError, KeyVersionInfo } from "../../application/ports/KeyManagement.js"

export interface StoredKeyVersion extends KeyVersionInfo {
  /** base64(format ‖ IV ‖ SM4-GCM(master, version key) ‖ tag). */
  readonly material: string
}

export class KeyRing extends Context.Service<
  KeyRing,
  {
    /** Every stored version (of one key when given), by key id then version. */
    readonly load: (keyId?: string) => Effect.Effect<ReadonlyArray<StoredKeyVersion>, KeyManagementError>
    /** Inserts `next` as current and demotes the key's current version; "conflict" when the version exists. */
    readonly addVersion: (next: StoredKeyVersion) => Effect.Effect<"added" | "conflict", KeyManagementError>
    /** Sets a version's state to `retired` when it is `previous`; false when it is not. */
    readonly retire: (keyId: string, version: number) => Effect.Effect<boolean, KeyManagementError>
  }
>()("anju/adapters/KeyRing") {}

const order = (a: StoredKeyVersion, b: StoredKeyVersion) =>
  a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : a.version - b.version

/** A ring in this process's memory (tests, `--memory` hosts). */
export const makeMemory = (): KeyRing["Service"] => {
  const rows = new Map<string, StoredKeyVersion>()
  const at = (keyId: string, version: number) => `${keyId}\u0000${version}`
  return KeyRing.of({
    load: (keyId) =>
      Effect.sync(() =>
        [...rows.values()].filter((r) => keyId === undefined || r.keyId === keyId).sort(order),
      ),
    addVersion: (next) =>
      Effect.sync(() => {
        if (rows.has(at(next.keyId, next.version))) return "conflict" as const
        for (const [k, r] of rows)
          if (r.keyId === next.keyId && r.state === "current") rows.set(k, { ...r, state: "previous" })
        rows.set(at(next.keyId, next.version), { ...next, state: "current" })
        return "added" as const
      }),
    retire: (keyId, version) =>
      Effect.sync(() => {
        const r = rows.get(at(keyId, version))
        if (r === undefined || r.state !== "previous") return false
        rows.set(at(keyId, version), { ...r, state: "retired" })
        return true
      }),
  })
}

export const layerMemory: Layer.Layer<KeyRing> = Layer.sync(KeyRing, makeMemory)
