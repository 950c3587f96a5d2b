/**
 * Layer direction: domain <- application <- adapters <- hosts; contracts-tests sees only ports and domain.
 * The pure core imports no I/O packages, no framework and no node:* module.
 */
const io =
  "^(kysely|pg|hono|@hono|bullmq|ioredis|pdf-lib|@electric-sql|exceljs|qrcode|fontkit|node:|fs|path|crypto|http|https|net|child_process|os|stream|url|worker_threads)($|/)"
module.exports = {
  forbidden: [
    { name: "no-cycles", severity: "error", from: {}, to: { circular: true } },
    {
      name: "domain-is-innermost",
      severity: "error",
      from: { path: "^domain/", pathNot: "\\.test\\.ts$" },
      to: { path: "^(application|adapters|hosts|contracts-tests)/" },
    },
    {
      name: "application-not-outward",
      severity: "error",
      from: { path: "^application/", pathNot: "\\.test\\.ts$" },
      to: { path: "^(adapters|hosts|contracts-tests)/" },
    },
    {
      name: "application-tests-use-memory-adapters-only",
      severity: "error",
      from: { path: "^application/.*\\.test\\.ts$" },
      to: { path: "^(hosts/|adapters/(?!memory/))" },
    },
    { name: "adapters-not-hosts", severity: "error", from: { path: "^adapters/" }, to: { path: "^hosts/" } },
    {
      name: "adapters-use-contracts-only-in-tests",
      severity: "error",
      from: { path: "^adapters/", pathNot: "\\.test\\.ts$" },
      to: { path: "^contracts-tests/" },
    },
    {
      name: "contracts-see-ports-and-domain",
      severity: "error",
      from: { path: "^contracts-tests/", pathNot: "\\.test\\.ts$" },
      to: { path: "^(adapters|hosts)/" },
    },
    {
      name: "pure-core-no-io",
      severity: "error",
      from: { path: "^(domain|application)/", pathNot: "\\.test\\.ts$" },
      to: { path: io, dependencyTypesNot: ["type-only"] },
    },
    {
      name: "pure-core-no-io-modules",
      severity: "error",
      from: { path: "^(domain|application)/", pathNot: "\\.test\\.ts$" },
      to: { dependencyTypes: ["core"] },
    },
    { name: "no-unresolvable", severity: "error", from: {}, to: { couldNotResolve: true } },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
    },
  },
}
