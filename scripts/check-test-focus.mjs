// Lint step (issue 10): no focused tests, and no skipped test without a written reason. Biome's
// noFocusedTests covers plain `it.only`/`describe.only`, but neither it nor noSkippedTests sees the
// chained forms (`it.effect.only`, `it.effect.skipIf(…)`, `it.runIf(…)`, `test.todo`), so this scan
// covers them all. Convention: a skip carries `// skip-reason: <why>` on the comment lines directly
// above it (or at the end of its line). `.only` is refused everywhere; CI also sets CI=true, which
// makes vitest itself refuse `.only`.
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"

const root = join(import.meta.dirname, "..")
const roots = [
  "index.ts",
  "domain",
  "application",
  "adapters",
  "hosts",
  "contracts-tests",
  "bench",
  "scripts",
]
const sourceFile = /\.(?:[cm]?[jt]s|tsx)$/u
const focused = /\b(?:it|test|describe|suite)(?:\.[A-Za-z]+)*\.only\b/u
const skipped =
  /\b(?:it|test|describe|suite)(?:\.[A-Za-z]+)*\.(?:skip|skipIf|runIf|todo)\b|\b(?:ctx|context)\.skip\(/u
const reason = /\/\/\s*skip-reason:\s*\S.{8,}/u

const files = roots.flatMap((r) => {
  const path = join(root, r)
  try {
    if (statSync(path).isFile()) return [path]
  } catch {
    return []
  }
  return readdirSync(path, { recursive: true, encoding: "utf8" })
    .filter((f) => sourceFile.test(f) && !f.split(/[\\/]/u).includes("node_modules"))
    .map((f) => join(path, f))
})

const self = relative(root, import.meta.filename)
const problems = []
for (const file of files) {
  const rel = relative(root, file)
  if (rel === self) continue
  const lines = readFileSync(file, "utf8").split("\n")
  for (const [i, line] of lines.entries()) {
    const code = line.replace(/\/\/.*$/u, "")
    if (focused.test(code)) problems.push(`${rel}:${i + 1}: focused test (.only) — remove it`)
    if (!skipped.test(code)) continue
    let ok = reason.test(line)
    for (let k = i - 1; !ok && k >= 0 && /^\s*\/\//u.test(lines[k]); k--) ok = reason.test(lines[k])
    if (!ok)
      problems.push(`${rel}:${i + 1}: skipped test without a reason — add "// skip-reason: <why>" above it`)
  }
}
if (problems.length > 0) {
  console.error(problems.join("\n"))
  process.exit(1)
}
console.log(`check-test-focus: ${files.length} files, no .only, every skip has a reason`)
