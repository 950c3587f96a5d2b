/**
 * `anju id check <number>` and `anju uscc check <code>`: validate a resident ID number (GB 11643-1999)
 * or a unified social credit code (GB 32100-2015). Exit 0 when valid (printing what can be derived),
 * 1 with the rule and reason when not, 2 on usage errors.
 */
import { Result } from "effect"
import * as Id from "../../../domain/values/ResidentIdNumber.js"
import * as Uscc from "../../../domain/values/UnifiedSocialCreditCode.js"
import { parseArgs, UsageError } from "../Args.js"
import type { Command } from "../Io.js"

const one = (argv: ReadonlyArray<string>, what: string) => {
  const { positionals } = parseArgs(argv, {})
  if (positionals.length !== 1) throw new UsageError(`expected exactly one ${what}`)
  return positionals[0]!
}

export const idCheck: Command = {
  words: ["id", "check"],
  usage: "id check <18-digit ID number>    validate a resident ID number (GB 11643-1999)",
  run: async (argv, io) => {
    const r = Id.parse(one(argv, "ID number"))
    if (Result.isFailure(r)) {
      io.err(`invalid: ${r.failure.message} [${r.failure.rule}]`)
      return 1
    }
    const id = r.success
    io.out(`valid: birth date ${Id.birthDate(id)}, ${Id.gender(id)}, region ${Id.regionCode(id)}`)
    return 0
  },
}

export const usccCheck: Command = {
  words: ["uscc", "check"],
  usage: "uscc check <18-character code>   validate a unified social credit code (GB 32100-2015)",
  run: async (argv, io) => {
    const r = Uscc.parse(one(argv, "code"))
    if (Result.isFailure(r)) {
      io.err(`invalid: ${r.failure.message} [${r.failure.rule}]`)
      return 1
    }
    io.out(`valid: ${r.success}`)
    return 0
  },
}
