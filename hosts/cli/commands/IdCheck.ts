/**
 * `anju id check <number>` and `anju uscc check <code>`: validate a resident ID number (GB 11643-1999)
 * or a unified social credit code (GB 32100-2015). Exit 0 when valid (printing what can be derived),
 * 1 with the rule and reason when not, 2 on usage errors.
 */
import { Result } from "effect"
import { Argument } from "effect/cli"
import * as Id from "../../../domain/values/ResidentIdNumber.js"
import * as Uscc from "../../../domain/values/UnifiedSocialCreditCode.js"
import { defineCommand } from "../CliCommand.js"

export const idCheck = defineCommand({
  words: ["id", "check"],
  description: "validate a resident ID number (GB 11643-1999)",
  examples: [
    { command: "anju id check 11010519491231002X", description: "valid: prints birth date, gender, region" },
  ],
  config: { number: Argument.String("number").pipe(Argument.withDescription("the 18-character ID number")) },
  run: async ({ number }, io) => {
    const r = Id.parse(number)
    if (Result.isFailure(r)) {
      io.err(`invalid: ${r.failure.message} [${r.failure.rule}]`)
      return 1
    }
    const id = r.success
    io.out(`valid: birth date ${Id.birthDate(id)}, ${Id.gender(id)}, region ${Id.regionCode(id)}`)
    return 0
  },
})

export const usccCheck = defineCommand({
  words: ["uscc", "check"],
  description: "validate a unified social credit code (GB 32100-2015)",
  examples: [{ command: "anju uscc check 91350100M000100Y43", description: "valid" }],
  config: { code: Argument.String("code").pipe(Argument.withDescription("the 18-character code")) },
  run: async ({ code }, io) => {
    const r = Uscc.parse(code)
    if (Result.isFailure(r)) {
      io.err(`invalid: ${r.failure.message} [${r.failure.rule}]`)
      return 1
    }
    io.out(`valid: ${r.success}`)
    return 0
  },
})
