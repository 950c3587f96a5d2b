/**
 * Published entry point `anju/hosts/http`: the Hono app of the housing stock, its OpenAPI document and
 * the Node server with graceful shutdown. The caller composes the layers and passes `run`.
 */
export { type AppDeps, makeApp, type StockServices } from "./App.js"
export { makeOpenApiDocument } from "./OpenApi.js"
export {
  onShutdownSignals,
  type RunningServer,
  type ShutdownHandle,
  type ShutdownOptions,
  type StartServerOptions,
  startServer,
} from "./Server.js"
