/**
 * `anju lottery proof --pool pool.csv --id <id> [--hash sm3|sha256]` prints one entrant's inclusion proof
 * (RFC 9162 audit path, JSON) and `anju lottery check-proof --proof proof.json --root <hex> --id <id>
 * [--stratum s]` checks it against a published root with the family's own (stratum, id) only (R53): no other
 * entrant's data is needed or revealed. Exit 0 / 1 (not in pool, proof fails), 2 on usage errors.
 */
import { Result } from "effect"
import { type HashName, isHashName } from "../../../domain/lottery/Digest.js"
import { checkInclusionProof, inclusionProof } from "../../../domain/lottery/InclusionProof.js"
import { optionalText, text } from "../Args.js"
import { defineCommand } from "../CliCommand.js"
import { describeFailure } from "./LotteryFailures.js"
import { cliDigests, hashFlag, readPool, readText } from "./LotteryInput.js"

export const lotteryProof = defineCommand({
  words: ["lottery", "proof"],
  description: "print one entrant's inclusion proof (RFC 9162 audit path, JSON)",
  examples: [
    {
      command: "anju lottery proof --pool contracts-tests/cases/samples/lottery-pool.csv --id GY-2026-0007",
      description: "the proof a family keeps",
    },
  ],
  config: {
    pool: text("pool", "pool.csv", "the committed pool"),
    id: text("id", "id", "the entrant's id"),
    hash: hashFlag,
  },
  run: async (input, io) => {
    const { hash, id } = input
    const pool = await readPool(io, input.pool)
    if (pool === undefined) return 1
    const proof = inclusionProof(pool, id.trim().normalize("NFC"), cliDigests[hash]!)
    if (Result.isFailure(proof)) {
      io.err(describeFailure(proof.failure))
      return 1
    }
    io.out(JSON.stringify(proof.success, null, 2))
    return 0
  },
})

interface ProofFile {
  readonly hash: HashName
  readonly leafIndex: number
  readonly treeSize: number
  readonly path: ReadonlyArray<string>
  readonly poolRoot?: string
  readonly stratum?: string
  readonly id?: string
}

const asProof = (v: unknown): ProofFile | undefined => {
  if (typeof v !== "object" || v === null) return undefined
  const o = v as Record<string, unknown>
  const int = (x: unknown) => typeof x === "number" && Number.isSafeInteger(x) && x >= 0
  const optString = (x: unknown) => x === undefined || typeof x === "string"
  if (
    typeof o["hash"] !== "string" ||
    !isHashName(o["hash"]) ||
    !int(o["leafIndex"]) ||
    !int(o["treeSize"]) ||
    !Array.isArray(o["path"]) ||
    !o["path"].every((p) => typeof p === "string") ||
    !optString(o["poolRoot"]) ||
    !optString(o["stratum"]) ||
    !optString(o["id"])
  )
    return undefined
  return o as unknown as ProofFile
}

export const lotteryCheckProof = defineCommand({
  words: ["lottery", "check-proof"],
  description: "check an inclusion proof against a published root with the family's own id",
  examples: [
    {
      command:
        "anju lottery check-proof --proof A0001.json --root <published root> --id A0001 --stratum P1-2R",
      description: "exit 0 when included, 1 when not",
    },
  ],
  config: {
    proof: text("proof", "proof.json", "the proof (from lottery proof)"),
    root: text("root", "hex", "the published pool root"),
    id: text("id", "id", "the entrant's id"),
    stratum: optionalText("stratum", "s", "the entrant's stratum (default: the proof's)"),
  },
  run: async (input, io) => {
    const { proof: proofPath, root, id } = input
    const text = await readText(io, proofPath)
    if (text === undefined) return 1
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = undefined
    }
    const proof = asProof(parsed)
    if (proof === undefined) {
      io.err(`${proofPath}: not an inclusion proof (hash, leafIndex, treeSize, path)`)
      return 1
    }
    const stratum = input.stratum ?? proof.stratum ?? ""
    const r = checkInclusionProof(proof, { id, stratum }, root.trim(), cliDigests)
    if (Result.isFailure(r)) {
      io.err(`not included: ${r.failure.message}`)
      return 1
    }
    io.out(
      `included: ${id}${stratum === "" ? "" : ` (stratum ${stratum})`} is leaf ${proof.leafIndex} of ${proof.treeSize} under root ${root.trim().toLowerCase()}`,
    )
    return 0
  },
})
