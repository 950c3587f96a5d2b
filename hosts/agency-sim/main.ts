/**
 * The agency simulator as its own process (外部核查模拟器): serves adapters/sim/SimulatedAgencyRecords over
 * the `anju-agency/1` protocol (docs/agencies.md), every answer signed with its own SM2 key — from
 * `ANJU_AGENCY_SIM_PRIVATE_KEY` (environment or ANJU_CONFIG_FILE), the PUBLIC demo key only under --demo.
 * `runAgencySim` runs until SIGTERM/SIGINT (the CLI's `anju agency-sim`); `startAgencySim` is for tests.
 */
import { Effect, Exit, Redacted, Result, Schema } from "effect"
import { Hono } from "hono"
import {
  PROTOCOL,
  signingBytes,
  VERIFICATIONS_PATH,
  type WireAnswer,
  WireRequest,
  type WireResponse,
} from "../../adapters/http/AgencyWire.js"
import type { Signer } from "../../application/ports/Signer.js"
import * as SimulatedAgencyRecords from "../../adapters/sim/SimulatedAgencyRecords.js"
import * as Sm2Signer from "../../adapters/sm/Sm2Signer.js"
import { readConfigFile, SETTINGS } from "../HostConfig.js"
import { onShutdownSignals, startServer } from "../http/Server.js"
import { DEMO_AGENCY_PRIVATE_KEY } from "./DemoAgencyKey.js"

export interface AgencySimOptions {
  readonly port: number
  /** Interface to bind (default 127.0.0.1). */
  readonly hostname?: string
  /** `--demo`: sign with the PUBLIC demo key when no key is configured. */
  readonly demo: boolean
  readonly env: Readonly<Record<string, string | undefined>>
  /** What the simulator answers (failing ID numbers, pending sources, latency); see SimulatedAgencyRecords. */
  readonly simulator?: Omit<SimulatedAgencyRecords.SimulatorOptions, "timeout">
  readonly out: (line: string) => void
  readonly err: (line: string) => void
}

export interface RunningAgencySim {
  readonly url: string
  readonly publicKey: string
  readonly close: () => Promise<void>
}

const decodeRequest = Schema.decodeUnknownResult(WireRequest)

/** The simulator's HTTP app: `POST /v1/verifications`, `GET /v1/health`. */
export const makeAgencySimApp = (
  signer: Signer["Service"],
  simulator: SimulatedAgencyRecords.SimulatorOptions,
) => {
  const sim = SimulatedAgencyRecords.make({ ...simulator, timeout: "1 hour" })
  const app = new Hono()
  app.get("/v1/health", (c) => c.json({ status: "ok", protocol: PROTOCOL, publicKey: signer.publicKey }))
  app.post(VERIFICATIONS_PATH, async (c) => {
    let raw: unknown
    try {
      raw = await c.req.json()
    } catch {
      return c.json({ error: "invalid_request", message: "the body is not JSON" }, 400)
    }
    const decoded = decodeRequest(raw)
    if (Result.isFailure(decoded))
      return c.json({ error: "invalid_request", message: `not an ${PROTOCOL} request` }, 400)
    const request = decoded.success
    const exit = await Effect.runPromiseExit(
      Effect.gen(function* () {
        const answer = yield* sim.query({
          source: request.source,
          caseId: request.caseId,
          kind: request.kind,
          subjects: request.subjects,
          requestDigest: request.requestDigest,
        })
        const wire: WireAnswer = {
          protocol: PROTOCOL,
          source: request.source,
          requestDigest: request.requestDigest,
          nonce: request.nonce,
          result: answer.result,
          detail: answer.detail,
          answeredAt: new Date().toISOString(),
        }
        const signature = yield* signer.sign(signingBytes(wire))
        const body: WireResponse = {
          answer: wire,
          signature: {
            algorithm: "SM2-SM3",
            userId: signature.userId,
            publicKey: signature.publicKey,
            value: signature.value,
          },
        }
        return body
      }),
    )
    return Exit.isSuccess(exit)
      ? c.json(exit.value, 200)
      : c.json({ error: "unavailable", message: "the simulator could not answer" }, 503)
  })
  return app
}

/** Starts the simulator; resolves to the running server, or to the lines explaining why it cannot start. */
export const startAgencySim = async (
  o: AgencySimOptions,
): Promise<{ readonly running: RunningAgencySim } | { readonly problems: ReadonlyArray<string> }> => {
  const file = readConfigFile(o.env)
  if (Result.isFailure(file)) return { problems: [file.failure] }
  const configured = o.env[SETTINGS.agencySimPrivateKey] || file.success?.values[SETTINGS.agencySimPrivateKey]
  if (configured === undefined || configured === "") {
    if (!o.demo)
      return {
        problems: [
          `${SETTINGS.agencySimPrivateKey} is not set: the simulator signs its answers with an SM2 private key (64 hex characters); --demo uses the PUBLIC demo key`,
        ],
      }
    o.err(
      "WARNING: the agency simulator signs with its PUBLIC demo key (--demo): anyone can forge its answers",
    )
  }
  const key =
    configured === undefined || configured === "" ? DEMO_AGENCY_PRIVATE_KEY : Redacted.make(configured)
  const signer = await Effect.runPromise(Effect.result(Sm2Signer.make({ privateKey: key })))
  if (Result.isFailure(signer))
    return {
      problems: [signer.failure.message.replace(Sm2Signer.CONFIG.privateKey, SETTINGS.agencySimPrivateKey)],
    }
  const app = makeAgencySimApp(signer.success, o.simulator ?? {})
  const server = await startServer({
    app,
    port: o.port,
    hostname: o.hostname ?? "127.0.0.1",
    shutdownGraceMs: 2_000,
  })
  return { running: { url: server.url, publicKey: signer.success.publicKey, close: server.close } }
}

/** Runs the simulator until a shutdown signal; resolves to the exit code (1 if it cannot start). */
export const runAgencySim = async (o: AgencySimOptions): Promise<number> => {
  const started = await startAgencySim(o).catch((e: unknown) => ({
    problems: [`cannot listen: ${e instanceof Error ? e.message : String(e)}`],
  }))
  if ("problems" in started) {
    for (const p of started.problems) o.err(`anju agency-sim: ${p}`)
    return 1
  }
  const { running } = started
  o.out(`Anju agency simulator (${PROTOCOL}) listening on ${running.url}`)
  o.out(`  public key: ${running.publicKey}`)
  o.out(
    `  set ANJU_AGENCIES=http ANJU_AGENCY_URL=${running.url} ANJU_AGENCY_PUBLIC_KEY=<the key above> on the host`,
  )
  await new Promise<void>((resolve) =>
    onShutdownSignals(async () => {
      await running.close()
      o.out("agency simulator stopped")
      resolve()
    }),
  )
  return 0
}
