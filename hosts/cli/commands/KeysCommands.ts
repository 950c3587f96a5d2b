/**
 * `anju keys rotate|rewrap|status`: key management for the sealed personal data (docs/security.md, "Key
 * management"). rotate adds a KMS key version and makes it current, then re-wraps every stored value's data
 * key under it case by case (hosts on PostgreSQL keep serving: older versions unwrap until retired);
 * `--retire` retires the older versions once a second pass finds nothing left under them. rewrap resumes an
 * interrupted re-wrap; status lists the versions (and, with --count, how many values each one holds).
 * Exit 0 done, 1 when a step failed part-way (rerun `anju keys rewrap`), 2 for settings or storage problems.
 */
import { Duration, Effect, Exit, Layer, ManagedRuntime } from "effect"
import { countSealedByKey, type ResealReport, resealCases } from "../../../application/keys/ResealCases.js"
import { CaseStore } from "../../../application/ports/CaseStore.js"
import { FieldCipher } from "../../../application/ports/FieldCipher.js"
import { KeyManagement, type KeyVersionInfo } from "../../../application/ports/KeyManagement.js"
import * as Sm4FieldCipher from "../../../adapters/sm/Sm4FieldCipher.js"
import { type HostConfig, planHost, SETTINGS } from "../../HostConfig.js"
import {
  describeStorage,
  fieldCipherLayer,
  keyManagementLayer,
  type StorageChoice,
  storesLayer,
} from "../../StoreSelection.js"
import { storageFlags, storageOf, switchFlag } from "../Args.js"
import { defineCommand } from "../CliCommand.js"
import type { CliIo } from "../Io.js"

type Io = Pick<CliIo, "out" | "err" | "env">

/** How long hosts may keep sealing under the former version before they read the ring again (SoftwareKeyManagement). */
const HOST_REFRESH = Duration.seconds(3)

export interface KeysOptions {
  readonly storage: StorageChoice
  /** Allows the PUBLIC demo keys (a `serve --demo` data folder). */
  readonly demo: boolean
}

const KEY_SETTINGS = [SETTINGS.kmsMasterKey, SETTINGS.indexKey, SETTINGS.fieldKey, SETTINGS.fieldKmsKey]

/** The host's key settings (other settings a server needs do not matter here), or the problems. */
const keyConfig = (options: KeysOptions, io: Io, command: string): HostConfig | undefined => {
  const plan = planHost({ storage: options.storage, demo: options.demo, env: io.env })
  const problems = plan.problems.filter((p) => KEY_SETTINGS.some((k) => p.includes(k)))
  if (problems.length > 0) {
    io.err(`keys ${command}: ${problems.length} key setting(s) missing or wrong:`)
    for (const p of problems) io.err(`  - ${p}`)
    return undefined
  }
  if (plan.config.fieldKeys.kind === "demo")
    io.err(`keys ${command}: WARNING: working with the PUBLIC demo keys (a demo data folder)`)
  return plan.config
}

const runtimeOf = (config: HostConfig, storage: StorageChoice) =>
  ManagedRuntime.make(
    fieldCipherLayer(config).pipe(
      Layer.provideMerge(keyManagementLayer(config)),
      Layer.provideMerge(storesLayer(storage)),
    ),
  )

const kmsKeyOf = (config: HostConfig) =>
  (config.fieldKeys.kind === "configured" ? config.fieldKeys.keys.kmsKeyId : undefined) ??
  Sm4FieldCipher.DEFAULT_KMS_KEY_ID

const reportLine = (r: ResealReport) =>
  `${r.casesScanned} case(s) scanned, ${r.casesResealed} re-sealed, ${r.valuesMoved} value(s) moved to the current version, ${r.retried} retried after a concurrent change`

const failureText = (exit: Exit.Exit<unknown, unknown>): string => {
  if (!Exit.isFailure(exit)) return ""
  const f = exit.cause.reasons.find((r) => r._tag === "Fail")
  return f?._tag === "Fail" && f.error instanceof Error ? f.error.message : "an unexpected failure"
}

const versionLine = (v: KeyVersionInfo) =>
  `  ${v.keyId}@${v.version}  ${v.state.padEnd(8)}  created ${new Date(v.createdAt).toISOString()}`

/** One re-wrap pass, with a line per page on stderr. */
const pass = (io: Io, label: string) =>
  resealCases({ onProgress: (r) => io.err(`${label}: ${reportLine(r)}`) })

const rewrapAndMaybeRetire = (io: Io, keyId: string, retire: boolean) =>
  Effect.gen(function* () {
    const first = yield* pass(io, "re-wrap")
    io.out(`re-wrap: ${reportLine(first)}`)
    if (!retire) {
      io.out(
        `older versions of ${keyId} still unwrap; run \`anju keys rotate --retire\` or \`anju keys rewrap --retire\` to retire them once no host writes under them`,
      )
      return
    }
    // A host that had not yet noticed the rotation may have sealed under the former version: wait for its
    // refresh, then a second pass must find nothing to move before any version is retired.
    yield* Effect.sleep(HOST_REFRESH)
    const second = yield* pass(io, "check")
    if (second.valuesMoved > 0) {
      io.out(
        `check: ${reportLine(second)}; NOT retiring (values were still written under older versions); run again`,
      )
      return
    }
    const kms = yield* KeyManagement
    const older = (yield* kms.versions(keyId)).filter((v) => v.state === "previous")
    for (const v of older) yield* kms.retire(keyId, v.version)
    io.out(
      older.length === 0
        ? `nothing to retire: ${keyId} has no previous versions`
        : `retired ${older.map((v) => `${keyId}@${v.version}`).join(", ")}: they no longer unwrap`,
    )
  })

export const keysRotate = async (
  options: KeysOptions & { readonly retire: boolean },
  io: Io,
): Promise<number> => {
  const config = keyConfig(options, io, "rotate")
  if (config === undefined) return 2
  const keyId = kmsKeyOf(config)
  const runtime = runtimeOf(config, options.storage)
  try {
    const rotated = await runtime.runPromiseExit(
      Effect.gen(function* () {
        const kms = yield* KeyManagement
        return yield* kms.rotate(keyId)
      }),
    )
    if (Exit.isFailure(rotated)) {
      io.err(`keys rotate: ${failureText(rotated)} (${describeStorage(options.storage)})`)
      return 2
    }
    io.out(`keys rotate: ${keyId}@${rotated.value.version} is current; new values are sealed under it`)
    const done = await runtime.runPromiseExit(rewrapAndMaybeRetire(io, keyId, options.retire))
    if (Exit.isFailure(done)) {
      io.err(`keys rotate: the re-wrap stopped: ${failureText(done)}; run \`anju keys rewrap\` to finish it`)
      return 1
    }
    return 0
  } finally {
    await runtime.dispose()
  }
}

export const keysRewrap = async (
  options: KeysOptions & { readonly retire: boolean },
  io: Io,
): Promise<number> => {
  const config = keyConfig(options, io, "rewrap")
  if (config === undefined) return 2
  const runtime = runtimeOf(config, options.storage)
  try {
    const done = await runtime.runPromiseExit(rewrapAndMaybeRetire(io, kmsKeyOf(config), options.retire))
    if (Exit.isFailure(done)) {
      io.err(`keys rewrap: stopped: ${failureText(done)}; run it again`)
      return 1
    }
    return 0
  } finally {
    await runtime.dispose()
  }
}

export const keysStatus = async (
  options: KeysOptions & { readonly count: boolean; readonly json: boolean },
  io: Io,
): Promise<number> => {
  const config = keyConfig(options, io, "status")
  if (config === undefined) return 2
  const runtime = runtimeOf(config, options.storage)
  try {
    const exit = await runtime.runPromiseExit(
      Effect.gen(function* () {
        yield* FieldCipher // the cipher starts: the index key and any v1 key are checked too
        const kms = yield* KeyManagement
        const versions = yield* kms.versions()
        const counts = options.count ? yield* countSealedByKey() : undefined
        yield* CaseStore
        return { versions, counts }
      }),
    )
    if (Exit.isFailure(exit)) {
      io.err(`keys status: ${failureText(exit)} (${describeStorage(options.storage)})`)
      return 2
    }
    const { versions, counts } = exit.value
    if (options.json) {
      io.out(
        JSON.stringify(
          {
            fieldKey: kmsKeyOf(config),
            versions,
            ...(counts === undefined ? {} : { values: Object.fromEntries(counts) }),
          },
          null,
          2,
        ),
      )
      return 0
    }
    io.out(
      `key versions (${describeStorage(options.storage)}); personal data is wrapped under ${kmsKeyOf(config)}:`,
    )
    if (versions.length === 0) io.out("  (none yet: version 1 is created when the first value is sealed)")
    for (const v of versions) io.out(versionLine(v))
    if (counts !== undefined) {
      io.out(
        "stored values by key (sm4-… = sealed before envelope encryption, plain = income/assets in clear):",
      )
      if (counts.size === 0) io.out("  (no sealed values)")
      for (const [label, n] of counts) io.out(`  ${label.padEnd(24)} ${n}`)
    }
    return 0
  } finally {
    await runtime.dispose()
  }
}

const demo = switchFlag("demo", "allow the PUBLIC demo keys (a data folder of `anju serve --demo`)")
const retire = switchFlag(
  "retire",
  "after the re-wrap, wait for hosts to notice, check again, and retire older versions when nothing is left under them",
)

export const KEYS_COMMANDS = [
  defineCommand({
    words: ["keys", "rotate"],
    description:
      "rotate the KMS key of personal data: a new current version, then re-wrap every stored data key under it (hosts keep serving)",
    examples: [
      {
        command: "ANJU_KMS_MASTER_KEY=… ANJU_INDEX_KEY=… anju keys rotate --database-url postgres://…",
        description: "new version, re-wrap while the hosts keep running; older versions still unwrap",
      },
      {
        command: "anju keys rotate --retire --database-url postgres://…",
        description: "the same, then retire the older versions once nothing is left under them",
      },
      {
        command: "anju keys rotate --demo",
        description: "on the demo data folder (.anju-data) with the demo keys",
      },
    ],
    config: { retire, demo, storage: storageFlags },
    run: (i, io) => keysRotate({ storage: storageOf(i.storage, io.env), demo: i.demo, retire: i.retire }, io),
  }),
  defineCommand({
    words: ["keys", "rewrap"],
    description: "re-wrap every stored data key under the current version (finishes an interrupted rotation)",
    examples: [
      {
        command: "anju keys rewrap --database-url postgres://…",
        description: "resume after an interruption",
      },
      { command: "anju keys rewrap --retire", description: "and retire the older versions afterwards" },
    ],
    config: { retire, demo, storage: storageFlags },
    run: (i, io) => keysRewrap({ storage: storageOf(i.storage, io.env), demo: i.demo, retire: i.retire }, io),
  }),
  defineCommand({
    words: ["keys", "status"],
    description:
      "list the KMS key versions (current, previous, retired) and, with --count, the values under each",
    examples: [
      { command: "anju keys status --database-url postgres://…", description: "versions and their states" },
      {
        command: "anju keys status --count --json",
        description: "with stored values per key version, as JSON",
      },
    ],
    config: {
      count: switchFlag("count", "count the stored values under each key version (reads every case)"),
      json: switchFlag("json", "print JSON"),
      demo,
      storage: storageFlags,
    },
    run: (i, io) =>
      keysStatus({ storage: storageOf(i.storage, io.env), demo: i.demo, count: i.count, json: i.json }, io),
  }),
]
