/**
 * HostConfig.planHost: without demo mode, a PostgreSQL host with nothing configured is refused with EVERY
 * missing item named (field keys, identity, agencies); --demo starts on demo data with warnings; --memory
 * may use demo keys and the simulator, loudly; ANJU_AGENCIES=http needs URL and key; the public demo keys
 * and tokens are refused outside demo mode; a YAML/JSON config file fills settings, the environment wins,
 * unknown names are refused; the printed configuration says where each value came from and hides secrets.
 */
import { describe, expect, it } from "vitest"
import { describeConfig, planHost } from "./HostConfig.js"

const PG = { kind: "postgres", url: "postgres://anju:s3cret@db.example/anju", schema: "anju" } as const
const KEY = `04${"ab".repeat(64)}`
const GOOD = {
  ANJU_KMS_MASTER_KEY: "a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5",
  ANJU_FIELD_KEY: "0123456789abcdef0123456789abcdef",
  ANJU_INDEX_KEY: "fedcba9876543210fedcba9876543210",
  ANJU_TOKENS: JSON.stringify({ "a-long-enough-secret-token": { role: "city", id: "c1" } }),
  ANJU_AGENCIES: "http",
  ANJU_AGENCY_URL: "https://agency.example/gw",
  ANJU_AGENCY_PUBLIC_KEY: KEY,
}
const files = (map: Record<string, string>) => (path: string) => {
  const text = map[path]
  if (text === undefined) throw new Error("ENOENT")
  return text
}

describe("planHost", () => {
  it("refuses a PostgreSQL host without --demo, naming each missing item at once", () => {
    const plan = planHost({ storage: PG, env: {} })
    expect(plan.problems).toHaveLength(4)
    expect(plan.problems[0]).toMatch(/^ANJU_KMS_MASTER_KEY is not set/u)
    expect(plan.problems[1]).toMatch(/^ANJU_INDEX_KEY is not set/u)
    expect(plan.problems[2]).toMatch(/^identity: no way to authenticate anyone: set ANJU_TOKENS/u)
    expect(plan.problems[3]).toMatch(/^ANJU_AGENCIES is not set: .*ANJU_AGENCIES=simulator/u)
  })

  it("starts a fully configured host with no problems and no warnings, on the HTTP agency client", () => {
    const plan = planHost({ storage: PG, env: GOOD })
    expect(plan.problems).toEqual([])
    expect(plan.warnings).toEqual([])
    expect(plan.config.fieldKeys.kind).toBe("configured")
    expect(plan.config.identity).toEqual([{ kind: "static-tokens" }])
    expect(plan.config.agencies).toMatchObject({
      kind: "http",
      options: { url: "https://agency.example/gw", publicKey: KEY, timeout: 5_000, retries: 2 },
    })
  })

  it("--demo starts on demo keys, demo tokens and the simulator, each with a warning", () => {
    const plan = planHost({ storage: PG, demo: true, env: {} })
    expect(plan.problems).toEqual([])
    expect(plan.config).toMatchObject({
      demo: true,
      fieldKeys: { kind: "demo" },
      identity: [{ kind: "stored" }, { kind: "demo-tokens" }],
      agencies: { kind: "simulator", why: "demo" },
    })
    const text = plan.warnings.join("\n")
    expect(text).toMatch(/PUBLIC DEMO SM4 keys/u)
    expect(text).toMatch(/demo tokens are accepted/u)
    expect(text).toMatch(/SIMULATOR/u)
  })

  it("--memory may use demo keys and the simulator with warnings; identity is a note, not a refusal", () => {
    const plan = planHost({ storage: { kind: "pglite", dataDir: null }, env: {} })
    expect(plan.problems).toEqual([])
    expect(plan.config.agencies).toEqual({ kind: "simulator", why: "memory" })
    expect(plan.warnings.join("\n")).toMatch(
      /WARNING: agency checks are answered by the SIMULATOR.*--memory/u,
    )
    expect(plan.warnings.join("\n")).toMatch(/no identity configured/u)
    // A data folder is not a try-out: the same settings are refused there.
    expect(planHost({ storage: { kind: "pglite", dataDir: "/tmp/x" }, env: {} }).problems).toHaveLength(4)
  })

  it("ANJU_AGENCIES=simulator is explicit: allowed, with a warning", () => {
    const plan = planHost({ storage: PG, env: { ...GOOD, ANJU_AGENCIES: "simulator" } })
    expect(plan.problems).toEqual([])
    expect(plan.config.agencies).toEqual({ kind: "simulator", why: "configured" })
    expect(plan.warnings).toHaveLength(1)
  })

  it("names every missing or malformed agency and key setting", () => {
    const plan = planHost({
      storage: PG,
      env: {
        ANJU_KMS_MASTER_KEY: GOOD.ANJU_KMS_MASTER_KEY,
        ANJU_FIELD_KEY: "short",
        ANJU_INDEX_KEY: GOOD.ANJU_INDEX_KEY,
        ANJU_TOKENS: GOOD.ANJU_TOKENS,
        ANJU_AGENCIES: "http",
        ANJU_AGENCY_TIMEOUT_MS: "soon",
        ANJU_AGENCY_RETRIES: "99",
      },
    })
    expect(plan.problems).toEqual([
      expect.stringMatching(/^ANJU_FIELD_KEY must be 32 hexadecimal characters/u),
      expect.stringMatching(/^ANJU_AGENCY_URL is not set/u),
      expect.stringMatching(/^ANJU_AGENCY_PUBLIC_KEY is not set/u),
      expect.stringMatching(/^ANJU_AGENCY_TIMEOUT_MS must be an integer/u),
      expect.stringMatching(/^ANJU_AGENCY_RETRIES must be an integer from 0 to 10, not 99/u),
    ])
    expect(planHost({ storage: PG, env: { ...GOOD, ANJU_AGENCIES: "carrier-pigeon" } }).problems).toEqual([
      expect.stringMatching(/^ANJU_AGENCIES must be "http" or "simulator"/u),
    ])
  })

  it("needs the KMS master key and the index key; the v1 field key is optional and must differ from both", () => {
    const { ANJU_FIELD_KEY: _v1, ...withoutV1 } = GOOD
    const plan = planHost({ storage: PG, env: withoutV1 })
    expect(plan.problems).toEqual([])
    expect(plan.config.fieldKeys).toMatchObject({ kind: "configured", keys: {} })
    expect(plan.config.fieldKeys.kind === "configured" && plan.config.fieldKeys.keys.encryptionKey).toBe(
      undefined,
    )
    expect(
      planHost({ storage: PG, env: { ...GOOD, ANJU_KMS_MASTER_KEY: GOOD.ANJU_INDEX_KEY } }).problems,
    ).toEqual([expect.stringMatching(/^ANJU_KMS_MASTER_KEY must differ/u)])
    expect(planHost({ storage: PG, env: { ...GOOD, ANJU_FIELD_KMS_KEY: "bad key" } }).problems).toEqual([
      expect.stringMatching(/^ANJU_FIELD_KMS_KEY must be 1–64/u),
    ])
  })

  it("refuses the public demo keys, demo tokens and the simulator's demo key outside demo mode", () => {
    const plan = planHost({
      storage: PG,
      env: {
        ...GOOD,
        ANJU_FIELD_KEY: "d0d0d0d0000000000000000000000001",
        ANJU_INDEX_KEY: "d0d0d0d0000000000000000000000002",
        ANJU_TOKENS: JSON.stringify({ "demo-city-officer": { role: "city", id: "x" } }),
        ANJU_AGENCY_PUBLIC_KEY:
          "042524de9bbe7e1287b0e6bad5001e44de25b089c5426e95be17e89c5f856cb9dd87c63141bef09eeb32ae9baaf8e2740f476df6fd630ac4df1231699d40d1d6f0",
      },
    })
    expect(plan.problems).toEqual([
      expect.stringMatching(/PUBLIC demo keys/u),
      expect.stringMatching(/^ANJU_TOKENS holds 1 of the PUBLIC demo tokens/u),
      expect.stringMatching(/^ANJU_AGENCY_PUBLIC_KEY is the simulator's PUBLIC demo key/u),
    ])
  })

  it("selects OIDC and stored identities (the selection point) and names missing OIDC settings", () => {
    const oidc = planHost({
      storage: PG,
      env: { ...GOOD, ANJU_TOKENS: undefined, ANJU_IDENTITY: "oidc,stored", ANJU_OIDC_ISSUER: "https://idp" },
    })
    expect(oidc.problems).toEqual([
      expect.stringMatching(/^ANJU_OIDC_AUDIENCE is not set/u),
      expect.stringMatching(/^ANJU_OIDC_JWKS_URL is not set/u),
    ])
    const both = planHost({
      storage: PG,
      env: {
        ...GOOD,
        ANJU_OIDC_ISSUER: "https://idp",
        ANJU_OIDC_AUDIENCE: "anju",
        ANJU_OIDC_JWKS_URL: "https://idp/jwks.json",
      },
    })
    expect(both.problems).toEqual([])
    expect(both.config.identity.map((i) => i.kind)).toEqual(["static-tokens", "oidc"])
  })

  it("reads a YAML or JSON config file; the environment wins; unknown names are refused", () => {
    const yaml = [
      "ANJU_KMS_MASTER_KEY: a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5",
      "ANJU_FIELD_KEY: 0123456789abcdef0123456789abcdef",
      "ANJU_INDEX_KEY: fedcba9876543210fedcba9876543210",
      "ANJU_TOKENS_FILE: /etc/anju/tokens.json",
      "ANJU_AGENCIES: simulator",
      "ANJU_AGENCY_RETRIES: 4",
      "DATABASE_URL: postgres://file@db/anju",
    ].join("\n")
    const read = files({
      "/etc/anju/anju.yaml": yaml,
      "/etc/anju/tokens.json": GOOD.ANJU_TOKENS,
      "/etc/anju/bad.json": JSON.stringify({ ANJU_AGENCY: "http", ANJU_TOKENS: { nested: true } }),
    })
    const plan = planHost({
      env: {
        ANJU_CONFIG_FILE: "/etc/anju/anju.yaml",
        ANJU_AGENCIES: "http",
        ANJU_AGENCY_URL: "http://gw",
        ANJU_AGENCY_PUBLIC_KEY: KEY,
      },
      readFile: read,
    })
    expect(plan.problems).toEqual([])
    expect(plan.config.storage).toEqual({ kind: "postgres", url: "postgres://file@db/anju", schema: "anju" })
    expect(plan.config.agencies).toMatchObject({ kind: "http", options: { retries: 4 } })
    const origins = Object.fromEntries(plan.config.items.map((i) => [i.name, i.origin]))
    expect(origins).toMatchObject({
      ANJU_AGENCIES: "env",
      ANJU_AGENCY_RETRIES: "file",
      ANJU_FIELD_KEY: "file",
      ANJU_AGENCY_TIMEOUT_MS: "default",
      storage: "file",
    })
    const bad = planHost({
      storage: PG,
      env: { ...GOOD, ANJU_CONFIG_FILE: "/etc/anju/bad.json" },
      readFile: read,
    })
    expect(bad.problems).toEqual([
      expect.stringMatching(/unknown setting ANJU_AGENCY; ANJU_TOKENS must be a string, number or boolean/u),
    ])
    expect(
      planHost({ storage: PG, env: { ...GOOD, ANJU_CONFIG_FILE: "/nowhere.yaml" }, readFile: read }).problems,
    ).toEqual(["ANJU_CONFIG_FILE: cannot read /nowhere.yaml"])
  })

  it("prints one line per item with its origin, never a secret", () => {
    const plan = planHost({ storage: PG, env: GOOD, flags: {} })
    const lines = describeConfig(plan.config)
    const text = lines.join("\n")
    for (const secret of [
      "s3cret",
      GOOD.ANJU_KMS_MASTER_KEY,
      GOOD.ANJU_FIELD_KEY,
      GOOD.ANJU_INDEX_KEY,
      "a-long-enough-secret-token",
    ])
      expect(text).not.toContain(secret)
    expect(text).toMatch(
      /storage\s+PostgreSQL \(postgres:\/\/anju:\*\*\*@db\.example\/anju, schema anju\)\s+\[flag\]/u,
    )
    expect(text).toMatch(/ANJU_FIELD_KEY\s+<redacted>\s+\[env\]/u)
    expect(text).toMatch(/ANJU_KMS_MASTER_KEY\s+<redacted>\s+\[env\]/u)
    expect(text).toMatch(/ANJU_AGENCY_TIMEOUT_MS\s+\(not set\)\s+\[default\]/u)
    expect(text).toMatch(/agencies\s+HTTP https:\/\/agency\.example\/gw/u)
    expect(lines.filter((l) => l.includes("ANJU_AGENCY_URL"))).toHaveLength(1)
  })
})
