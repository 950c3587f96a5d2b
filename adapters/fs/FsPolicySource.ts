/**
 * File-system PolicySource: reads every `.yaml` file of a directory — the `policy/` folder shipped with
 * the package (found by walking up from this module to the package's package.json, so it works from
 * sources and from dist/) or a caller's directory. Names are `<dir label>/<file>` (`policy/guard.yaml`).
 * ENOENT/ENOTDIR → NotFound; EACCES/EISDIR/bad UTF-8 → Unreadable; EBUSY/EAGAIN/EMFILE/EIO → Unavailable.
 */
import { existsSync, readFileSync } from "node:fs"
import { readdir, readFile } from "node:fs/promises"
import { basename, dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect, Layer } from "effect"
import {
  PolicySource,
  PolicySourceError,
  type PolicySourceErrorReason,
} from "../../application/ports/PolicySource.js"

/** The package root: the nearest ancestor of this module holding a package.json named "anju". */
export const packageRoot = (from: string = dirname(fileURLToPath(import.meta.url))): string => {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, "package.json")
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: unknown }).name === "anju") return dir
      } catch {
        // not our package.json; keep walking
      }
    }
    if (dirname(dir) === dir) throw new Error(`no anju package.json above ${from}`)
  }
}

export const shippedPolicyDirectory = (): string => join(packageRoot(), "policy")

const classify = (location: string, e: unknown): PolicySourceErrorReason => {
  const code = (e as { code?: unknown }).code
  const detail = e instanceof Error ? e.message : String(e)
  if (code === "ENOENT" || code === "ENOTDIR") return { _tag: "NotFound", location }
  if (
    code === "EBUSY" ||
    code === "EAGAIN" ||
    code === "EMFILE" ||
    code === "ENFILE" ||
    code === "EIO" ||
    code === "ETIMEDOUT"
  )
    return { _tag: "Unavailable", location, detail }
  return { _tag: "Unreadable", location, detail }
}

const utf8 = new TextDecoder("utf-8", { fatal: true })

export const make = (directory: string = shippedPolicyDirectory()): PolicySource["Service"] => {
  const dir = resolve(directory)
  const label = basename(dir)
  return {
    load: () =>
      Effect.tryPromise({
        try: async () => {
          const names = (await readdir(dir, { withFileTypes: true }))
            .filter((e) => e.isFile() && e.name.endsWith(".yaml"))
            .map((e) => e.name)
            .sort()
          return Promise.all(
            names.map(async (n) => {
              const bytes = await readFile(join(dir, n))
              let text: string
              try {
                text = utf8.decode(bytes)
              } catch {
                throw Object.assign(new Error(`${n} is not UTF-8 text`), { code: "EILSEQ" })
              }
              return { name: `${label}/${n}`, text }
            }),
          )
        },
        catch: (e) => new PolicySourceError({ reason: classify(dir, e) }),
      }).pipe(
        Effect.flatMap((files) =>
          files.length === 0
            ? Effect.fail(new PolicySourceError({ reason: { _tag: "Empty", location: dir } }))
            : Effect.succeed(files),
        ),
      ),
  }
}

/** The shipped `policy/` folder. */
export const layer: Layer.Layer<PolicySource> = Layer.sync(PolicySource, () => make())

/** A caller's directory. */
export const layerDirectory = (directory: string): Layer.Layer<PolicySource> =>
  Layer.sync(PolicySource, () => make(directory))
