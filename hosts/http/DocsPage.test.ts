/**
 * /docs works offline: the page the host serves (through makeApp, with whatever is installed) and the
 * Scalar page with a bundle name no other origin in any src/href/@import/url(), carry a CSP limited to
 * 'self', and the bundle is served from the host as long-cached JavaScript.
 */
import { Exit } from "effect"
import { Hono } from "hono"
import { describe, expect, it } from "vitest"
import { makeApp } from "./App.js"
import {
  findScalarBundle,
  makeScalarBundle,
  registerDocsRoutes,
  renderStaticReference,
  SCALAR_ASSET_PATH,
} from "./DocsPage.js"
import { makeOpenApiDocument } from "./OpenApi.js"

const BASE = "https://fang.example.gov.cn"
// /docs and its asset never run a use-case, so the app needs no services here.
const app = makeApp({
  run: async () => Exit.fail(new Error("no use-case runs behind /docs")),
  publicBaseUrl: BASE,
  ready: async () => true,
})

/** Every place an HTML page can make the browser fetch something. */
const references = (html: string) => [
  ...[...html.matchAll(/\b(?:src|href|action|content)\s*=\s*["']([^"']*)["']/giu)].map((m) => m[1]!),
  ...[...html.matchAll(/url\(\s*["']?([^"')]+)/giu)].map((m) => m[1]!),
  ...[...html.matchAll(/@import\s+["']([^"']+)/giu)].map((m) => m[1]!),
  ...[...html.matchAll(/\bimport\s*(?:\{[^}]*\}\s*from\s*)?["']([^"']+)["']/gu)].map((m) => m[1]!),
]

const expectSameOrigin = (html: string) => {
  for (const ref of references(html)) expect(ref, ref).not.toMatch(/^(?:[a-z][a-z0-9+.-]*:)?\/\//iu)
  expect(html).not.toMatch(/https?:\/\/(?!fang\.example\.gov\.cn)/u)
}

const expectSelfOnlyCsp = (res: Response) => {
  const csp = res.headers.get("content-security-policy") ?? ""
  expect(csp).toContain("default-src 'self'")
  expect(csp).toMatch(/script-src 'self'/u)
  expect(csp).toMatch(/font-src 'self'/u)
  expect(csp).not.toMatch(/cdn|jsdelivr|googleapis|\*/u)
}

describe("/docs", () => {
  it("is served by the host with nothing from another origin", async () => {
    const res = await app.request("/docs")
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toMatch(/^text\/html/u)
    expectSelfOnlyCsp(res)
    const html = await res.text()
    expect(html).toContain("/openapi.json")
    expectSameOrigin(html)
    const bundle = findScalarBundle()
    if (bundle === null) {
      // the static reference documents every operation and schema of the OpenAPI document
      expect(html).not.toMatch(/<script/iu)
      expect(html).toContain("/api/v1/units/{id}")
      expect(html).toContain('id="schema-UnitInput"')
    } else {
      expect(html).toContain(`${SCALAR_ASSET_PATH}?v=${bundle.hash}`)
      const asset = await app.request(SCALAR_ASSET_PATH)
      expect(asset.status).toBe(200)
      expect(asset.headers.get("content-type")).toMatch(/^text\/javascript/u)
    }
  })

  it("with a Scalar bundle, loads it from /docs/assets/scalar.js with default fonts, telemetry and agent off", async () => {
    const source = new TextEncoder().encode("window.Scalar={createApiReference(){}}")
    const bundle = makeScalarBundle(source)
    const docs = new Hono()
    registerDocsRoutes(docs, {
      openApiPath: "/openapi.json",
      document: {},
      pageTitle: "Anju API",
      publicBaseUrl: BASE,
      bundle,
    })
    const res = await docs.request("/docs")
    expect(res.status).toBe(200)
    expectSelfOnlyCsp(res)
    expect(res.headers.get("content-security-policy")).toContain(`connect-src 'self' ${BASE}`)
    const html = await res.text()
    expectSameOrigin(html)
    const scripts = [...html.matchAll(/<script[^>]*\bsrc="([^"]+)"/gu)].map((m) => m[1])
    expect(scripts).toEqual([`${SCALAR_ASSET_PATH}?v=${bundle.hash}`])
    expect(html).toMatch(/"withDefaultFonts": false/u)
    expect(html).toMatch(/"telemetry": false/u)
    expect(html).toMatch(/"disabled": true/u)

    const asset = await docs.request(`${SCALAR_ASSET_PATH}?v=${bundle.hash}`)
    expect(asset.status).toBe(200)
    expect(asset.headers.get("content-type")).toBe("text/javascript; charset=utf-8")
    expect(asset.headers.get("cache-control")).toContain("max-age=31536000")
    expect(new Uint8Array(await asset.arrayBuffer())).toEqual(source)
    // a different bundle gets a different URL, so the year-long cache never serves a stale one
    expect(makeScalarBundle(new TextEncoder().encode("other")).hash).not.toBe(bundle.hash)
  })

  it("without a bundle, renders the OpenAPI document as plain HTML with escaped text and working links", async () => {
    const doc = makeOpenApiDocument(BASE, { casesPrefix: "/api/v1/cases" })
    const html = renderStaticReference(doc, "Anju API", "/openapi.json")
    expectSameOrigin(html)
    expect(html).not.toMatch(/<script/iu)
    const ids = new Set([...html.matchAll(/\bid="([^"]+)"/gu)].map((m) => m[1]))
    const links = [...html.matchAll(/href="#([^"]+)"/gu)].map((m) => m[1])
    expect(links.length).toBeGreaterThan(20)
    for (const l of links) expect(ids, `#${l}`).toContain(l)
    for (const path of Object.keys(doc.paths)) expect(html).toContain(`<code>${path}</code>`)
    const hostile = renderStaticReference(
      {
        info: { title: "<script>alert(1)</script>" },
        paths: { "/x": { get: { summary: '"><img src=//evil>' } } },
      },
      "t",
      "/openapi.json",
    )
    expect(hostile).not.toContain("<script>alert")
    expect(hostile).not.toContain("<img")
  })
})
