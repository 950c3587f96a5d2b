#!/usr/bin/env bash
# Package check (issue 10): what a consumer of the published package gets. `npm pack` (prepack builds)
# → the tarball holds dist with .d.ts, policy/, docs/, README.md, LICENSE and no tests → installed
# into a scratch project in a temp dir (runtime dependencies from the registry) → on the pinned Node
# every `exports` entry imports and `npx anju --version` answers → the project's tsc type-checks the
# README's library example (extracted exactly as printed) and an import of every entry, strict, module
# nodenext, skipLibCheck false (default lib: effect's own declarations need the DOM crypto types). Any
# failure exits non-zero; the temp dir is removed at the end.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
node_bin="$(readlink -f "$root/node_modules/.bin/node")"
tsc="$root/node_modules/.bin/tsc"
[ -x "$node_bin" ] || { echo "check-package: the pinned node is missing (run npm ci)"; exit 1; }
work="$(mktemp -d "${TMPDIR:-/tmp}/anju-pack.XXXXXX")"
# KEEP_WORK=1 keeps the temp dir (tarball, scratch project) for a look afterwards.
if [ -n "${KEEP_WORK:-}" ]; then echo "work dir: $work"; else trap 'rm -rf "$work"' EXIT; fi
# The pinned Node first on PATH, so the bin's `#!/usr/bin/env node` and npx use it.
mkdir -p "$work/bin"
ln -s "$node_bin" "$work/bin/node"
export PATH="$work/bin:$PATH"
node -e 'if (Number(process.versions.node.split(".")[0]) < 24) { console.error("not the pinned Node 24: " + process.version); process.exit(1) }'

echo "== pack (prepack builds dist)"
cd "$root"
npm pack --pack-destination "$work" >"$work/pack.log" 2>&1 || { cat "$work/pack.log"; exit 1; }
tarball="$(ls "$work"/anju-*.tgz)"
echo "packed $(basename "$tarball") ($(du -h "$tarball" | cut -f1))"

echo "== tarball contents"
tar tzf "$tarball" | sed 's|^package/||' | sort >"$work/files.txt"
PKG_FILES="$work/files.txt" node --input-type=module -e '
  import { readFileSync } from "node:fs"
  const files = new Set(readFileSync(process.env.PKG_FILES, "utf8").split("\n").filter(Boolean))
  const pkg = JSON.parse(readFileSync("package.json", "utf8"))
  const problems = []
  const need = ["LICENSE", "README.md", "package.json", "dist/hosts/cli/bin.js", "policy/fund.yaml", "docs/architecture.md"]
  for (const [key, target] of Object.entries(pkg.exports)) {
    if (typeof target === "string") continue
    need.push(target.types.replace(/^\.\//, ""), target.import.replace(/^\.\//, ""))
  }
  for (const f of need) if (!files.has(f)) problems.push(`missing ${f}`)
  for (const f of files) {
    if (/\.(test|spec)\.[cm]?[jt]sx?(\.map)?$/.test(f) || /(^|\/)__(tests|snapshots)__\//.test(f)) problems.push(`test file shipped: ${f}`)
    if (!/^(dist|policy|docs)\//.test(f) && !["LICENSE", "README.md", "package.json"].includes(f)) problems.push(`unexpected file: ${f}`)
  }
  if (!readFileSync("LICENSE", "utf8").includes("Apache License") || pkg.license !== "Apache-2.0") problems.push("LICENSE is not the Apache-2.0 text")
  if (problems.length > 0) { console.error(problems.join("\n")); process.exit(1) }
  console.log(`${files.size} files; every exports target, LICENSE, README, policy/ and docs/ present; no tests`)
'

echo "== install into a scratch project"
consumer="$work/consumer"
mkdir -p "$consumer"
cd "$consumer"
printf '{ "name": "anju-consumer", "private": true, "type": "module" }\n' >package.json
# As the README says: effect (a peer) beside anju; the optional peers the contract suites need (vitest,
# @effect/vitest, fast-check); @types/node; and @types/emscripten, because PGlite's declarations use
# Emscripten's global types without depending on them. Versions: the project's own.
extra="$(cd "$root" && node -e '
  const p = require("./package.json"), d = { ...p.devDependencies }
  console.log(["@types/node", ...Object.keys(p.peerDependencies ?? {})].map((n) => `${n}@${d[n]}`).join(" "))')"
# shellcheck disable=SC2086
npm install --no-audit --no-fund --loglevel=error "$tarball" $extra @types/emscripten@1.41.6
if [ -e node_modules/anju/node_modules/effect ]; then
  echo "anju got its own copy of effect: the consumer's and Anju's Effect types would not match"
  exit 1
fi

echo "== import every exports entry on $(node --version)"
node --input-type=module -e '
  import { readFileSync } from "node:fs"
  const pkg = JSON.parse(readFileSync("node_modules/anju/package.json", "utf8"))
  for (const key of Object.keys(pkg.exports)) {
    if (key === "./package.json") continue
    const spec = "anju" + key.slice(1)
    const names = Object.keys(await import(spec))
    if (names.length === 0) throw new Error(`${spec} exports nothing`)
    console.log(`ok ${spec} (${names.length} exports)`)
  }
'

echo "== npx anju --version"
version="$(npx --no-install anju --version)"
expected="$(node -p 'require("./node_modules/anju/package.json").version')"
echo "anju --version → $version"
case "$version" in *"$expected"*) ;; *) echo "expected a version containing $expected"; exit 1 ;; esac

echo "== tsc (skipLibCheck false): the README's library example and every entry's types"
awk '/^## Using Anju as a library/{s=1;next} s&&/^## /{exit} s&&!b&&/^```ts$/{b=1;next} b&&/^```$/{exit} b{print}' \
  "$root/README.md" >readme-example.ts
[ -s readme-example.ts ] || { echo "no \`\`\`ts block under \"## Using Anju as a library\" in README.md"; exit 1; }
echo "readme-example.ts: $(wc -l <readme-example.ts) lines"
node --input-type=module -e '
  import { readFileSync, writeFileSync } from "node:fs"
  const pkg = JSON.parse(readFileSync("node_modules/anju/package.json", "utf8"))
  const entries = Object.keys(pkg.exports).filter((k) => k !== "./package.json")
  writeFileSync("all-entries.ts", entries.map((k, i) => `import * as E${i} from "anju${k.slice(1)}"\n`).join("") +
    `export const entries = [${entries.map((_, i) => `E${i}`).join(", ")}]\n`)
'
cat >tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "target": "ES2023",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "skipLibCheck": false,
    "noEmit": true,
    "types": ["node", "emscripten"]
  },
  "files": ["readme-example.ts", "all-entries.ts"]
}
JSON
"$tsc" --version
"$tsc" -p tsconfig.json
echo "package check passed"
