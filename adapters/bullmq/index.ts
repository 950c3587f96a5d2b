/** Published entry point `anju/adapters/bullmq`: the JobQueue on Redis through BullMQ, for several workers. */
export * as BullmqJobQueue from "./BullmqJobQueue.js"
