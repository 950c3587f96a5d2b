// `anju ca init`, `anju contract render --demo`, `anju contract verify` in-process: the demo contract
// verifies (exit 0) under the demo root, a flipped byte makes verify exit 1 naming the signature, a CA made
// by `ca init` seals a contract that verifies only with `--trust` its root, and bad usage exits 2.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { type CliIo, noProgress } from "../Io.js"
import { main } from "../Main.js"

const capture = () => {
  const out: Array<string> = []
  const err: Array<string> = []
  const io: CliIo = {
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    readFile: async (p) => new Uint8Array(await readFile(p)),
    writeFile: (p, d) => writeFile(p, d),
    env: {},
    progress: () => noProgress,
  }
  return { io, out, err }
}

describe("anju contract render | verify, anju ca init", () => {
  const dir = mkdtempSync(join(tmpdir(), "anju-contract-"))

  it("renders the demo contract, which verifies; a flipped byte fails with exit 1", async () => {
    const file = join(dir, "c.pdf")
    const r = capture()
    expect(await main(["contract", "render", "--demo", "--out", file], r.io)).toBe(0)
    expect(r.out.join("\n")).toMatch(/lease contract HT-\d{8}-000001, unit [0-9A-Z]+/u)
    const v = capture()
    expect(await main(["contract", "verify", file], v.io)).toBe(0)
    expect(v.out.join("\n")).toContain("2 seal(s) valid")
    const bad = readFileSync(file)
    bad[3000]! ^= 0x20
    writeFileSync(join(dir, "bad.pdf"), bad)
    const b = capture()
    expect(await main(["contract", "verify", join(dir, "bad.pdf")], b.io)).toBe(1)
    expect(b.err.join("\n")).toContain("signature 1 (lessor)")
  }, 60_000)

  it("seals with a CA from `ca init`, verifying only when its root is trusted", async () => {
    const ca = join(dir, "ca")
    expect(await main(["ca", "init", "--out", ca], capture().io)).toBe(0)
    const file = join(dir, "c2.pdf")
    expect(await main(["contract", "render", "--demo", "--ca", ca, "--out", file], capture().io)).toBe(0)
    expect(await main(["contract", "verify", file, "--trust", join(ca, "root.pem")], capture().io)).toBe(0)
    const untrusted = capture()
    expect(await main(["contract", "verify", file], untrusted.io)).toBe(1)
    expect(untrusted.err.join("\n")).toContain("not issued by a trusted root")
  }, 60_000)

  it("exits 2 on bad usage", async () => {
    expect(await main(["contract", "render", "--out", join(dir, "x.pdf")], capture().io)).toBe(2)
    expect(await main(["contract", "verify", join(dir, "missing.pdf")], capture().io)).toBe(2)
  })
})
