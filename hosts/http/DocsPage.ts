/**
 * The API reference at /docs, served entirely by the host (government intranets have no internet): the
 * Scalar browser bundle is read once from the installed `@scalar/api-reference` and served at
 * /docs/assets/scalar.js, with Scalar's default fonts, telemetry and agent off. When that package is not
 * installed, /docs is a static HTML rendering of the OpenAPI document without any script. Either way the
 * page names no other origin, and a Content-Security-Policy makes the browser refuse any that slips in.
 */
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { Scalar } from "@scalar/hono-api-reference"
import type { Hono } from "hono"

export const SCALAR_ASSET_PATH = "/docs/assets/scalar.js"

/** The Scalar standalone bundle read from disk, with a content hash for cache busting. */
export interface ScalarBundle {
  readonly source: Uint8Array
  readonly hash: string
}

export interface DocsOptions {
  /** Path of the OpenAPI document on this host, e.g. `/openapi.json`. */
  readonly openApiPath: string
  /** The OpenAPI document itself (rendered directly when no Scalar bundle is installed). */
  readonly document: unknown
  readonly pageTitle: string
  /** Origin the API is documented at (its `servers`), allowed for the reference's "try it" requests. */
  readonly publicBaseUrl?: string
  /** The browser bundle; omitted: the installed one (findScalarBundle), `null`: force the static page. */
  readonly bundle?: ScalarBundle | null
}

/** Wraps bundle bytes with their content hash (the asset URL carries it, so the long cache is safe). */
export const makeScalarBundle = (source: Uint8Array): ScalarBundle => ({
  source,
  hash: createHash("sha256").update(source).digest("hex").slice(0, 16),
})

let installed: ScalarBundle | null | undefined

/**
 * Reads `@scalar/api-reference`'s `dist/browser/standalone.js` (the single-file UMD build) next to the
 * package's resolved entry point, so it works from the sources under tsx and from the built dist/.
 * Read once per process; `null` when the package is not installed.
 */
export const findScalarBundle = (): ScalarBundle | null => {
  if (installed !== undefined) return installed
  try {
    const entry = createRequire(import.meta.url).resolve("@scalar/api-reference")
    installed = makeScalarBundle(readFileSync(join(dirname(entry), "browser", "standalone.js")))
  } catch {
    installed = null
  }
  return installed
}

const originOf = (url: string | undefined) => {
  try {
    return url === undefined ? undefined : new URL(url).origin
  } catch {
    return undefined
  }
}

const contentSecurityPolicy = (publicBaseUrl: string | undefined) => {
  const api = originOf(publicBaseUrl)
  return [
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${api === undefined ? "" : ` ${api}`}`,
    "base-uri 'self'",
    "form-action 'self'",
  ].join("; ")
}

/** Mounts GET /docs (and, with a Scalar bundle, GET /docs/assets/scalar.js). Both are public. */
// biome-ignore lint/suspicious/noExplicitAny: mounts on any Hono app regardless of its env and schema
export const registerDocsRoutes = (app: Hono<any, any, any>, o: DocsOptions): void => {
  const bundle = o.bundle === undefined ? findScalarBundle() : o.bundle
  const csp = contentSecurityPolicy(o.publicBaseUrl)
  if (bundle === null) {
    const html = renderStaticReference(o.document, o.pageTitle, o.openApiPath)
    app.get("/docs", (c) =>
      c.html(html, 200, { "Content-Security-Policy": csp, "Cache-Control": "public, max-age=300" }),
    )
    return
  }
  const scalar = Scalar({
    url: o.openApiPath,
    pageTitle: o.pageTitle,
    cdn: `${SCALAR_ASSET_PATH}?v=${bundle.hash}`,
    withDefaultFonts: false,
    telemetry: false,
    showDeveloperTools: "never",
    agent: { disabled: true },
    mcp: { disabled: true },
  })
  app.get("/docs", async (c, next) => {
    c.header("Content-Security-Policy", csp)
    c.header("Cache-Control", "public, max-age=300")
    return scalar(c, next)
  })
  app.get(SCALAR_ASSET_PATH, (c) =>
    c.body(bundle.source as Uint8Array<ArrayBuffer>, 200, {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": "public, max-age=31536000, immutable",
      ETag: `"${bundle.hash}"`,
    }),
  )
}

// --- static rendering of the OpenAPI document (no script) ------------------------------------------

type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [k: string]: Json }
type Obj = { readonly [k: string]: Json }

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v)
const str = (v: unknown) => (typeof v === "string" ? v : undefined)

const esc = (s: string) =>
  s.replace(/&/gu, "&amp;").replace(/</gu, "&lt;").replace(/>/gu, "&gt;").replace(/"/gu, "&quot;")

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"] as const

const anchor = (s: string) => s.replace(/[^A-Za-z0-9_-]+/gu, "-")

/** `#/components/schemas/Unit` → a link to that schema's section. */
const refLink = (ref: string) => {
  const name = ref.split("/").pop() ?? ref
  return `<a href="#schema-${esc(anchor(name))}">${esc(name)}</a>`
}

/** A short type label for a JSON Schema: `Unit`, `array of Unit`, `string (date)`, `"a" | "b"`. */
const typeLabel = (s: unknown): string => {
  if (!isObj(s)) return "any"
  const ref = str(s["$ref"])
  if (ref !== undefined) return refLink(ref)
  const en = s["enum"]
  if (Array.isArray(en)) return en.map((v) => esc(JSON.stringify(v))).join(" | ")
  for (const k of ["anyOf", "oneOf", "allOf"]) {
    const alts = s[k]
    if (Array.isArray(alts)) return alts.map(typeLabel).join(k === "allOf" ? " & " : " | ")
  }
  const type = s["type"]
  if (type === "array") return `array of ${typeLabel(s["items"])}`
  const base = Array.isArray(type) ? type.join(" | ") : (str(type) ?? "object")
  const format = str(s["format"])
  return esc(format === undefined ? base : `${base} (${format})`)
}

const contentSchemas = (content: unknown) =>
  isObj(content)
    ? Object.entries(content).map(
        ([mediaType, media]) =>
          `<code>${esc(mediaType)}</code> ${isObj(media) && media["schema"] !== undefined ? typeLabel(media["schema"]) : ""}`,
      )
    : []

const renderOperation = (path: string, method: string, op: Obj) => {
  const id = anchor(`${method}-${path}`)
  const parts = [
    `<section class="op" id="${esc(id)}"><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code> ${esc(str(op["summary"]) ?? "")}</h3>`,
  ]
  const description = str(op["description"])
  if (description !== undefined) parts.push(`<p>${esc(description)}</p>`)
  const params = Array.isArray(op["parameters"]) ? op["parameters"].filter(isObj) : []
  if (params.length > 0) {
    parts.push("<table><tr><th>parameter</th><th>in</th><th>type</th><th>description</th></tr>")
    for (const p of params)
      parts.push(
        `<tr><td><code>${esc(str(p["name"]) ?? "")}</code>${p["required"] === true ? " *" : ""}</td><td>${esc(str(p["in"]) ?? "")}</td><td>${typeLabel(p["schema"])}</td><td>${esc(str(p["description"]) ?? "")}</td></tr>`,
      )
    parts.push("</table>")
  }
  const body = op["requestBody"]
  if (isObj(body))
    parts.push(
      `<p>Request body${body["required"] === true ? " (required)" : ""}: ${contentSchemas(body["content"]).join("; ")}</p>`,
    )
  const responses = op["responses"]
  if (isObj(responses)) {
    parts.push("<table><tr><th>status</th><th>description</th><th>body</th></tr>")
    for (const [status, r] of Object.entries(responses))
      if (isObj(r))
        parts.push(
          `<tr><td>${esc(status)}</td><td>${esc(str(r["description"]) ?? "")}</td><td>${contentSchemas(r["content"]).join("; ")}</td></tr>`,
        )
    parts.push("</table>")
  }
  parts.push("</section>")
  return { id, html: parts.join("\n") }
}

/** Pretty JSON of a schema with its `$ref`s turned into in-page links. */
const schemaJson = (schema: Json) =>
  esc(JSON.stringify(schema, null, 2)).replace(
    /&quot;\$ref&quot;: &quot;([^&]+)&quot;/gu,
    (_m, ref: string) => `&quot;$ref&quot;: &quot;${refLink(ref)}&quot;`,
  )

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:0;display:flex;color:#1d1d1f}
nav{width:19rem;flex:none;height:100vh;overflow:auto;position:sticky;top:0;background:#f5f5f7;padding:1rem;box-sizing:border-box;font-size:13px}
nav a{display:block;color:inherit;text-decoration:none;padding:1px 0}main{padding:1rem 2rem;max-width:62rem;min-width:0}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f5f5f7;padding:.6rem;overflow:auto}
table{border-collapse:collapse;margin:.4rem 0}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
.op{border-top:1px solid #ddd;margin-top:1rem}.m{font:bold 12px monospace;padding:2px 5px;border-radius:3px;color:#fff;background:#555}
.get{background:#1f7a3d}.post{background:#0b5cad}.put,.patch{background:#a15c00}.delete{background:#b3261e}`

/**
 * The OpenAPI document as one self-contained HTML page (operations grouped by tag, then schemas); no
 * script, no external resource. Unknown shapes are rendered as far as they go rather than refused.
 */
export const renderStaticReference = (document: unknown, pageTitle: string, openApiPath: string): string => {
  const doc = isObj(document) ? document : {}
  const info = isObj(doc["info"]) ? doc["info"] : {}
  const paths = isObj(doc["paths"]) ? doc["paths"] : {}
  const byTag = new Map<string, Array<{ id: string; label: string; html: string }>>()
  for (const [path, item] of Object.entries(paths)) {
    if (!isObj(item)) continue
    for (const method of METHODS) {
      const op = item[method]
      if (!isObj(op)) continue
      const tags = Array.isArray(op["tags"]) ? op["tags"].filter((t) => typeof t === "string") : []
      const tag = (tags[0] as string | undefined) ?? "other"
      const rendered = renderOperation(path, method, op)
      const list = byTag.get(tag) ?? []
      list.push({ ...rendered, label: `${method.toUpperCase()} ${path}` })
      byTag.set(tag, list)
    }
  }
  const components = isObj(doc["components"]) ? doc["components"] : {}
  const schemas = isObj(components["schemas"]) ? components["schemas"] : {}
  const nav: Array<string> = []
  const body: Array<string> = []
  for (const [tag, ops] of byTag) {
    nav.push(`<strong>${esc(tag)}</strong>`)
    body.push(`<h2 id="tag-${esc(anchor(tag))}">${esc(tag)}</h2>`)
    for (const op of ops) {
      nav.push(`<a href="#${esc(op.id)}">${esc(op.label)}</a>`)
      body.push(op.html)
    }
  }
  if (Object.keys(schemas).length > 0) {
    nav.push("<strong>schemas</strong>")
    body.push('<h2 id="schemas">Schemas</h2>')
    for (const [name, schema] of Object.entries(schemas)) {
      nav.push(`<a href="#schema-${esc(anchor(name))}">${esc(name)}</a>`)
      body.push(`<h3 id="schema-${esc(anchor(name))}">${esc(name)}</h3><pre>${schemaJson(schema)}</pre>`)
    }
  }
  const title = str(info["title"]) ?? pageTitle
  const description = str(info["description"])
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(pageTitle)}</title><style>${STYLE}</style></head>
<body><nav>${nav.join("\n")}</nav><main>
<h1>${esc(title)} <small>${esc(str(info["version"]) ?? "")}</small></h1>
${description === undefined ? "" : `<p>${esc(description)}</p>`}
<p>Machine-readable document: <a href="${esc(openApiPath)}">${esc(openApiPath)}</a>. (This plain reference is shown because the interactive one, <code>@scalar/api-reference</code>, is not installed.)</p>
${body.join("\n")}
</main></body></html>`
}
