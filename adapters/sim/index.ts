/** Published entry point `anju/adapters/sim`: simulators of outside systems for demos and integration tests. */
export * as SimulatedAgencyRecords from "./SimulatedAgencyRecords.js"
export * as SimulatedNotifier from "./SimulatedNotifier.js"
