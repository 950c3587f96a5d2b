/**
 * Published entry point `anju/hosts/http`: the Hono app (housing stock, and the qualification-case routes
 * when `cases` is given), the case routes on their own for an embedder's app, the OpenAPI document and
 * the Node server with graceful shutdown. The caller composes the layers and passes `run`.
 */
export { type AppDeps, makeApp, type StockServices } from "./App.js"
export { type CaseRouteDeps, type CaseServices, registerCaseRoutes } from "./CaseRoutes.js"
export * as CaseSchemas from "./CaseSchemas.js"
export { makeOpenApiDocument, type OpenApiOptions } from "./OpenApi.js"
export {
  onShutdownSignals,
  type RunningServer,
  type ShutdownHandle,
  type ShutdownOptions,
  type StartServerOptions,
  startServer,
} from "./Server.js"
