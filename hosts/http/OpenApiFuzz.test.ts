/**
 * The generated-request property test (issue 9): requests derived from the host's own /openapi.json —
 * every operation, its path parameters, query parameters, headers and JSON bodies generated from the
 * documented JSON Schemas (a small JSON Schema → fast-check translation below, with domain-looking
 * values for named fields), plus mutations (missing, extra and wrong-typed fields, NUL, huge strings,
 * lone surrogates, non-UTF-8 bytes, odd content types and Idempotency-Keys, deep nesting) — sent under
 * every identity kind to the app on memory stores and on in-memory PGlite. Property: never a 5xx, never
 * a stack trace or a file path, never database text (SQLSTATE, "violates", "constraint", …), and every
 * 4xx that the document describes as JSON is JSON with an `error` field. Fixed seeds; the count printed.
 */
import fc from "fast-check"
import type { Hono } from "hono"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeTestHost, SEEDED, seed, type StoreKind, type TestHost } from "./TestHost.js"
import { TEST_ACTORS } from "./TestActors.js"

// biome-ignore lint/suspicious/noExplicitAny: JSON Schema and OpenAPI documents are walked structurally
type Json = any

// ---------------------------------------------------------------------------------------------
// JSON Schema → fast-check

const SAFE_TEXT_SOURCE = "^[^\\u0000\\uD800-\\uDFFF]*$"

/** Mostly valid values, sometimes a near miss: valid ones reach the stores, near misses the rules. */
const typed = (valid: ReadonlyArray<unknown>, nearMiss: ReadonlyArray<unknown>) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...valid) },
    { weight: 1, arbitrary: fc.constantFrom(...nearMiss) },
  )
const within = (min: number, max: number, lo: number, hi: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min, max }) },
    { weight: 1, arbitrary: fc.integer({ min: lo, max: hi }) },
  )

/** Values a person would type, by property name: they get past the shape checks into the rules. */
const HINTS: Record<string, fc.Arbitrary<unknown>> = {
  district: typed(["310115", "310104"], ["310000", "999999", "31011"]),
  idNumber: typed(
    ["310115198503120012", "310115199001010010", "310104198808080024"],
    ["310115198503120013", "123"],
  ),
  address: typed(["世博村路300号", "浦东新区某路1弄"], ["", " "]),
  operatorName: typed(["运营公司", "上海某住房租赁有限公司"], [""]),
  name: typed(["王五", "𠮷明", "李四", "e\u0301mile", "👨‍👩‍👧李", "1号楼"], ["", "𠮷"]),
  phone: typed(["13812345678", null], ["021-12345678", "12345"]),
  servicePhone: typed(["021-12345678", "13812345678", "95000"], ["12345", ""]),
  bankCard: typed(["6222021234567890123", null], ["1234"]),
  operatorUscc: typed(["91310000MA1FL0TB3Y"], ["91310000MA1FL0TB3X", "X"]),
  completionDate: typed(["2022-09-30", "2001-01-01"], ["2022-02-30", "1800-01-01", "2999-12-31", "tomorrow"]),
  validFrom: typed(["2024-01-01"], ["2024-13-01"]),
  validUntil: typed(["2026-12-31"], ["2099-01-01"]),
  kind: typed(["gongzu", "baozu", "lianzu", "gongyou", "anzhi", "rencai"], ["公租房", "villa"]),
  projectId: typed([SEEDED.projectId], ["P-op", "P-none"]),
  buildingId: typed([SEEDED.buildingId], ["B-none"]),
  annualDisposableIncome: typed(["39600.00", "120000.50"], ["-1", "1e400", "abc"]),
  property: typed(["0", "1000000.00"], ["99999999999999999999"]),
  totalFloors: within(1, 100, -1, 101),
  unitsPerFloor: within(1, 30, -1, 31),
  // The seeded building has 6 floors and 2 units per floor.
  floor: within(1, 6, -6, 7),
  roomNo: within(1, 2, 0, 3),
  bedrooms: within(0, 5, -1, 6),
  halls: within(0, 5, -1, 6),
  area: within(1000, 20_000, 0, 1_000_000),
  rent: within(50_000, 500_000, 0, 100_000_000),
  marketRent: within(100_000, 1_000_000, 0, 100_000_000),
  orientation: typed(["南", "南北", null], ["up"]),
  decoration: typed(["毛坯", "简装", "精装", null], ["gold"]),
  reason: typed(["材料不齐全，且经多次告知仍未补正，故作此处理"], ["短"]),
}

/** Arbitrary text for a SAFE_TEXT field: graphemes from all planes, within `maxLength` UTF-16 units. */
const safeText = (maxLength: number) =>
  fc
    .string({ unit: "grapheme", maxLength: Math.min(maxLength, 24) })
    .filter((s) => s.length <= maxLength && !s.includes("\u0000"))

const arbitraryOf = (schema: Json, components: Record<string, Json>, name = ""): fc.Arbitrary<unknown> => {
  if (schema.$ref !== undefined) {
    const ref = String(schema.$ref).replace("#/components/schemas/", "")
    return fc.constant(null).chain(() => arbitraryOf(components[ref], components, name))
  }
  const hint = HINTS[name]
  const own = ownArbitrary(schema, components)
  return hint === undefined || own === undefined
    ? (own ?? fc.constant(null))
    : fc.oneof({ weight: 4, arbitrary: hint }, { weight: 1, arbitrary: own })
}

const ownArbitrary = (schema: Json, components: Record<string, Json>): fc.Arbitrary<unknown> | undefined => {
  if (schema.anyOf !== undefined)
    return fc.oneof(...(schema.anyOf as Array<Json>).map((s) => arbitraryOf(s, components)))
  if (schema.enum !== undefined) return fc.constantFrom(...(schema.enum as Array<unknown>))
  switch (schema.type) {
    case "string": {
      const max = schema.maxLength ?? 64
      const min = schema.minLength ?? 0
      if (schema.pattern === undefined) return fc.string({ minLength: min, maxLength: Math.min(max, 24) })
      if (schema.pattern === SAFE_TEXT_SOURCE) return safeText(max)
      return fc.stringMatching(new RegExp(schema.pattern, "u")).filter((s) => s.length <= max)
    }
    case "integer": {
      const min = schema.minimum ?? -(2 ** 31)
      const max = schema.maximum ?? 2 ** 31 - 1
      return fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max), fc.integer({ min: 0, max: 10 }))
    }
    case "number":
      return fc.double({ noNaN: true, noDefaultInfinity: true })
    case "boolean":
      return fc.boolean()
    case "null":
      return fc.constant(null)
    case "array":
      return fc.array(arbitraryOf(schema.items ?? {}, components), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 3, 3),
      })
    case "object": {
      const props = Object.entries((schema.properties ?? {}) as Record<string, Json>)
      return fc.record(Object.fromEntries(props.map(([k, s]) => [k, arbitraryOf(s, components, k)])), {
        requiredKeys: (schema.required ?? []) as Array<string>,
      })
    }
    default:
      return undefined
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations

/** Lowercase names only: an upper-case extra key echoed as `body.ABCDE: …` would look like a SQLSTATE. */
const extraKey = fc.stringMatching(/^[a-z][a-z_]{0,11}$/u)
const HUGE = "長".repeat(200_000)
const wrongTyped = fc.constantFrom<unknown>(
  null,
  0,
  -1,
  1.5,
  1e308,
  -(2 ** 63),
  2 ** 53 + 1,
  "",
  "1",
  "x",
  true,
  [],
  {},
  [[[]]],
  { $ref: "#/x" },
)
const oddString = fc.constantFrom(
  "a\u0000b",
  "\u0000",
  "\ud842",
  "x\udc00y",
  "\udfff\ud800",
  HUGE,
  " ".repeat(5),
  "'; DROP TABLE units; --",
  "%00",
  "\u202e\u200b",
  "𠮷".repeat(300),
)

type Mutation =
  | { readonly _tag: "remove" }
  | { readonly _tag: "extra"; readonly key: string; readonly value: unknown }
  | { readonly _tag: "replace"; readonly value: unknown }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant({ _tag: "remove" as const }),
  fc.record({ _tag: fc.constant("extra" as const), key: extraKey, value: wrongTyped }),
  fc.record({ _tag: fc.constant("replace" as const), value: fc.oneof(wrongTyped, oddString) }),
)

/** Every [container, key] position inside a JSON value (the root is `[undefined, undefined]`). */
const positions = (v: unknown): Array<[Json, string | number | undefined]> => {
  const out: Array<[Json, string | number | undefined]> = [[undefined, undefined]]
  const walk = (x: unknown) => {
    if (Array.isArray(x))
      x.forEach((y, i) => {
        out.push([x, i])
        walk(y)
      })
    else if (typeof x === "object" && x !== null)
      for (const [k, y] of Object.entries(x)) {
        out.push([x, k])
        walk(y)
      }
  }
  walk(v)
  return out
}

/** Applies `m` at the `at`-th position of a deep copy of `v`. */
const mutate = (v: unknown, at: number, m: Mutation): unknown => {
  const copy = structuredClone(v) as Json
  const all = positions(copy)
  const [container, key] = all[at % all.length]!
  if (container === undefined) {
    if (m._tag === "replace") return m.value
    if (m._tag === "extra" && typeof copy === "object" && copy !== null && !Array.isArray(copy))
      copy[m.key] = m.value
    return m._tag === "remove" ? undefined : copy
  }
  if (m._tag === "remove") {
    if (Array.isArray(container)) container.splice(key as number, 1)
    else delete container[key as string]
  } else if (m._tag === "replace") container[key as string] = m.value
  else {
    const target = container[key as string]
    if (typeof target === "object" && target !== null && !Array.isArray(target)) target[m.key] = m.value
    else container[key as string] = { [m.key]: m.value }
  }
  return copy
}

const utf8 = new TextEncoder()
/** Invalid UTF-8: a stray continuation byte, an overlong NUL, an encoded surrogate, 0xFF. */
const BAD_BYTES = [[0x80], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xff, 0xfe], [0xc3, 0x28]]

/** JSON text with invalid UTF-8 spliced in (inside a string when there is one). */
const withBadBytes = (text: string, which: number): Uint8Array => {
  const quote = text.indexOf('"')
  const cut = quote === -1 ? Math.floor(text.length / 2) : quote + 1
  const before = utf8.encode(text.slice(0, cut))
  const after = utf8.encode(text.slice(cut))
  const bad = BAD_BYTES[which % BAD_BYTES.length]!
  return new Uint8Array([...before, ...bad, ...after])
}

// ---------------------------------------------------------------------------------------------
// Requests

const IDENTITIES: ReadonlyArray<Record<string, string>> = [
  {},
  ...Object.keys(TEST_ACTORS).map((t) => ({ authorization: `Bearer ${t}` })),
  { authorization: "Bearer" },
  { authorization: "Bearer nobody" },
  { authorization: "Basic dXNlcjpwYXNz" },
  { authorization: `Bearer ${"x".repeat(5000)}` },
  { authorization: "bearer t-city" },
  { "x-api-key": "" },
  { "x-api-key": "unknown-key" },
]

/** The officers and the system that own or may see the seeded objects (and one wrong-scope officer). */
const AUTHORISED: ReadonlyArray<Record<string, string>> = ["t-city", "t-pudong", "t-system", "t-xuhui"].map(
  (t) => ({ authorization: `Bearer ${t}` }),
)

const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "application/problem+json",
  "text/plain",
  "text/csv",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/json; charset=utf-16",
  "application/xml",
  "",
]
const IDEMPOTENCY_KEYS = ["", " ", "a b", "x".repeat(129), "k".repeat(10_000), "\u00e9", "\t", "../../etc"]

const PATH_ODDITIES = [
  "%00",
  "a%00b",
  "%FF",
  "%ED%A0%80",
  "%C0%80",
  encodeURIComponent("王五案"),
  "a%20b",
  "..",
  "%2e%2e",
  "a%2Fb",
  "x".repeat(3000),
  "%",
  "U-walk%00",
  "C-walk;drop",
]

interface Op {
  readonly method: string
  readonly path: string
  readonly op: Json
}

interface FuzzRequest {
  readonly label: string
  readonly request: () => Request
  /** The query carries a parameter the operation does not declare. */
  readonly undocumentedQuery: boolean
}

const pathParamValue = (name: string, op: Op, schema: Json, components: Record<string, Json>) => {
  const existing =
    name === "code" ? ["0000000000000000"] : op.path.includes("/cases/") ? [SEEDED.caseId] : [SEEDED.unitId]
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...existing) },
    { weight: 2, arbitrary: arbitraryOf(schema, components).map((v) => encodeURIComponent(String(v))) },
    { weight: 2, arbitrary: fc.constantFrom(...PATH_ODDITIES) },
  )
}

const queryValue = (schema: Json, components: Record<string, Json>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: arbitraryOf(schema, components).map((v) => String(v)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom("", "abc", "-1", "1e3", "1.5", "99999999999999999999", "\u0000", "\ud800"),
    },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
  )

/** A request for `op`: generated from its schemas, then perhaps mutated. */
const requestFor = (op: Op, components: Record<string, Json>): fc.Arbitrary<FuzzRequest> => {
  const params = (op.op.parameters ?? []) as Array<Json>
  const pathParams = params.filter((p) => p.in === "path")
  const queryParams = params.filter((p) => p.in === "query")
  const needsKey = params.some((p) => p.in === "header" && p.name === "Idempotency-Key")
  const content = op.op.requestBody?.content as Record<string, Json> | undefined
  const jsonSchema = content?.["application/json"]?.schema

  const path = fc
    .tuple(...pathParams.map((p) => pathParamValue(p.name, op, p.schema, components)))
    .map((values) => pathParams.reduce((acc, p, i) => acc.replace(`{${p.name}}`, values[i]!), op.path))

  const query = fc
    .tuple(
      fc.tuple(...queryParams.map((p) => fc.option(queryValue(p.schema, components), { nil: undefined }))),
      fc.oneof(
        { weight: 6, arbitrary: fc.constant(undefined) },
        {
          weight: 1,
          arbitrary: fc.tuple(
            fc.constantFrom("unknown", "limit", "after", "__proto__", "a\u0000"),
            fc.string(),
          ),
        },
      ),
    )
    .map(([values, extra]) => {
      const q = new URLSearchParams()
      queryParams.forEach((p, i) => {
        if (values[i] !== undefined) q.append(p.name, values[i]!)
      })
      if (extra !== undefined) q.append(extra[0], extra[1])
      const s = q.toString()
      const undocumented = extra !== undefined && !queryParams.some((p) => p.name === extra[0])
      return { text: s === "" ? "" : `?${s}`, undocumented }
    })

  type Body = { readonly type: string | undefined; readonly bytes: Uint8Array | string | undefined }
  const body: fc.Arbitrary<Body> =
    op.method === "get"
      ? fc.constant({ type: undefined, bytes: undefined })
      : jsonSchema !== undefined
        ? fc.oneof(
            // Valid-looking, as documented.
            {
              weight: 4,
              arbitrary: arbitraryOf(jsonSchema, components).map((v) => ({
                type: "application/json",
                bytes: JSON.stringify(v),
              })),
            },
            // A mutated field somewhere.
            {
              weight: 4,
              arbitrary: fc
                .tuple(arbitraryOf(jsonSchema, components), fc.nat(), mutation)
                .map(([v, at, m]) => mutate(v, at, m))
                .map((v) => ({
                  type: "application/json",
                  bytes: v === undefined ? undefined : JSON.stringify(v),
                })),
            },
            // Invalid UTF-8 inside the JSON text.
            {
              weight: 1,
              arbitrary: fc
                .tuple(arbitraryOf(jsonSchema, components), fc.nat())
                .map(([v, w]) => ({ type: "application/json", bytes: withBadBytes(JSON.stringify(v), w) })),
            },
            // Not JSON, or JSON of the wrong kind, or pathological JSON.
            {
              weight: 1,
              arbitrary: fc
                .constantFrom(
                  "",
                  "{",
                  "null",
                  "[]",
                  '"x"',
                  "1",
                  '{"a":1,"a":2}',
                  `${"[".repeat(20_000)}${"]".repeat(20_000)}`,
                  `{"__proto__":{"admin":true}}`,
                  `{"constructor":{"prototype":{}}}`,
                  "\ufeff{}",
                )
                .map((text) => ({ type: "application/json", bytes: text })),
            },
            // A valid body under another content type.
            {
              weight: 1,
              arbitrary: fc
                .tuple(arbitraryOf(jsonSchema, components), fc.constantFrom(...CONTENT_TYPES))
                .map(([v, type]) => ({ type: type === "" ? undefined : type, bytes: JSON.stringify(v) })),
            },
          )
        : content !== undefined
          ? // The import: CSV-ish text, bytes, or the wrong type.
            fc.oneof(
              fc
                .array(fc.array(fc.string({ unit: "grapheme", maxLength: 8 }), { maxLength: 6 }), {
                  maxLength: 5,
                })
                .map((rows) => ({
                  type: "text/csv",
                  bytes: ["项目编号,项目名称,区,楼栋编号,房屋编号", ...rows.map((r) => r.join(","))].join(
                    "\n",
                  ),
                })),
              fc.uint8Array({ maxLength: 200 }).map((b) => ({ type: "text/csv; charset=utf-8", bytes: b })),
              fc
                .tuple(fc.uint8Array({ maxLength: 50 }), fc.constantFrom(...CONTENT_TYPES))
                .map(([b, type]) => ({ type, bytes: b })),
              fc.constant({ type: "text/csv; charset=x-unknown", bytes: "a,b\n1,2" }),
              fc.constant({
                type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                bytes: "PK\u0003\u0004 not a workbook",
              }),
            )
          : fc.constant({ type: undefined, bytes: undefined })

  const idempotencyKey = fc.oneof(
    { weight: 5, arbitrary: fc.stringMatching(/^[\x21-\x7E]{1,40}$/u) },
    { weight: needsKey ? 2 : 1, arbitrary: fc.constantFrom(...IDEMPOTENCY_KEYS) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  )

  return fc
    .record({
      path,
      query,
      body,
      // Mostly identities that pass the guard, so that requests reach the decoders and the use-cases.
      identity: fc.oneof(
        { weight: 1, arbitrary: fc.constantFrom(...IDENTITIES) },
        { weight: 2, arbitrary: fc.constantFrom(...AUTHORISED) },
      ),
      key: idempotencyKey,
    })
    .map(({ path, query, body, identity, key }): FuzzRequest => {
      const headers: Record<string, string> = { ...identity }
      if (body.type !== undefined) headers["content-type"] = body.type
      if (key !== undefined) headers["idempotency-key"] = key
      const init: RequestInit = {
        method: op.method.toUpperCase(),
        headers,
        ...(body.bytes === undefined ? {} : { body: body.bytes as NonNullable<RequestInit["body"]> }),
      }
      const shown =
        typeof body.bytes === "string"
          ? body.bytes.slice(0, 300)
          : body.bytes === undefined
            ? ""
            : `<${body.bytes.length} bytes>`
      return {
        label: `${init.method} ${path}${query.text} ${JSON.stringify(headers).slice(0, 300)} ${shown}`,
        request: () => new Request(`http://localhost${path}${query.text}`, init),
        undocumentedQuery: query.undocumented,
      }
    })
}

// ---------------------------------------------------------------------------------------------
// The property

const STACK = /\n\s+at \S|\bat [\w$.<>]+ \(|file:\/\/|\/work\/|node_modules|\.[cm]?[jt]s:\d+/u
/** `22021: invalid byte …` as the old 503 bodies read (a space after the colon: ISO times do not match). */
const SQLSTATE = /\b[0-9A-Z]{5}: /u
const DATABASE_WORDS =
  /violates|constraint|\brelation\b|syntax error|duplicate key|invalid byte sequence|out of range for type/iu

/** Whether the document describes this status of `op` as something other than JSON (the HTML unit page). */
const documentedNonJson = (op: Op, status: number) => {
  const response = op.op.responses?.[String(status)]
  return response?.content !== undefined && response.content["application/json"] === undefined
}

/** What is wrong with a response, or undefined. */
const problemOf = async (op: Op, r: FuzzRequest, res: Response): Promise<string | undefined> => {
  const text = await res.text()
  if (res.status >= 500) return `status ${res.status}: ${text.slice(0, 500)}`
  if (r.undocumentedQuery && op.path.startsWith("/api/") && res.status < 300)
    return `an undocumented query parameter was accepted (${res.status})`
  // Success bodies that are pages, scripts or images are the product, not messages: only JSON is read.
  const isJson = /json/u.test(res.headers.get("content-type") ?? "")
  if (res.status < 300 && !isJson) return undefined
  if (STACK.test(text)) return `a stack trace or file path in the body: ${text.slice(0, 500)}`
  if (SQLSTATE.test(text) || DATABASE_WORDS.test(text))
    return `database text in the body: ${text.slice(0, 500)}`
  if (res.status >= 400 && !documentedNonJson(op, res.status)) {
    let parsed: Json
    try {
      parsed = JSON.parse(text)
    } catch {
      return `a ${res.status} body that is not JSON: ${text.slice(0, 200)}`
    }
    if (typeof parsed?.error !== "string")
      return `a ${res.status} body without an error field: ${text.slice(0, 200)}`
  }
  return undefined
}

/** Runs the property over every operation of the host's document; returns the number of requests sent. */
const fuzz = async (app: Hono, runs: number, seedValue: number) => {
  const doc: Json = await (await app.request("/openapi.json")).json()
  const ops: Array<Op> = Object.entries(doc.paths).flatMap(([path, o]) =>
    Object.entries(o as Json).map(([method, op]) => ({ method, path, op })),
  )
  const components = doc.components.schemas as Record<string, Json>
  const statuses = new Map<number, number>()
  let sent = 0
  // Operations with a body have the most to get wrong: they are drawn three times as often.
  const arbitrary = fc.oneof(
    ...ops.map((op) => ({
      weight: op.op.requestBody === undefined ? 1 : 3,
      arbitrary: requestFor(op, components).map((r) => ({ op, r })),
    })),
  )
  await fc.assert(
    fc.asyncProperty(arbitrary, async ({ op, r }) => {
      let request: Request
      try {
        request = r.request()
      } catch {
        return true // a request no client can send (a header value fetch refuses)
      }
      sent++
      const res = await app.fetch(request)
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
      // ANJU_FUZZ_DEBUG=<path template> prints that operation's requests and answers (to tune generators).
      if (process.env["ANJU_FUZZ_DEBUG"] === op.path)
        console.log(res.status, r.label.slice(0, 400), (await res.clone().text()).slice(0, 300))
      const problem = await problemOf(op, r, res)
      if (problem !== undefined) throw new Error(`${r.label}\n→ ${problem}`)
      return true
    }),
    { numRuns: runs, seed: seedValue, endOnFailure: true },
  )
  return { sent, operations: ops.length, statuses }
}

/** Tuned to keep the file under ~30 s on a shared 2-core machine; ANJU_FUZZ_SEED / ANJU_FUZZ_SCALE explore further. */
const SCALE = Number(process.env["ANJU_FUZZ_SCALE"] ?? "1")
const SEED = Number(process.env["ANJU_FUZZ_SEED"] ?? "9009")
const RUNS: Record<StoreKind, number> = { memory: Math.round(5000 * SCALE), pglite: Math.round(3000 * SCALE) }

describe.each(["memory", "pglite"] as const)("generated requests on %s stores", (kind) => {
  let host: TestHost
  beforeAll(async () => {
    host = await makeTestHost(kind)
    await seed(host.app)
  })
  afterAll(() => host?.dispose())

  it("never answer 5xx, a stack trace or database text; every 4xx is JSON with an error", async () => {
    const { sent, operations, statuses } = await fuzz(host.app, RUNS[kind], SEED)
    console.log(
      `OpenApiFuzz ${kind} (seed ${SEED}): ${sent} requests over ${operations} operations; statuses ${JSON.stringify(
        Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])),
      )}`,
    )
    expect(sent).toBeGreaterThan(RUNS[kind] * 0.9)
    // The generator reaches past the guard and the decoders: successes and domain refusals both occur.
    expect([...statuses.keys()].some((s) => s >= 200 && s < 300)).toBe(true)
    expect(statuses.get(422) ?? 0).toBeGreaterThan(0)
  }, 120_000)
})
