/**
 * R24 warning list (警示名单): every person for whom a signal lit goes onto the list with level and
 * category (the rule id). #203 names the levels 红/橙/黄 only, so brown enters only when
 * `guard.r24.brown_enters_warning_list` is true. One entry per (person, rule, level).
 */
import { Result } from "effect"
import type { ParameterNotFound, ParameterReader } from "../policy/ParameterReader.js"
import { GuardParameters } from "./GuardParameters.js"
import type { GuardWarning, WarningListEntry } from "./GuardWarning.js"

export const r24WarningList = (
  warnings: ReadonlyArray<GuardWarning>,
  context: {
    readonly on: string
    readonly caseId?: string | undefined
    readonly district?: string | undefined
  },
  reader: ParameterReader,
): Result.Result<ReadonlyArray<WarningListEntry>, ParameterNotFound> =>
  Result.gen(function* () {
    if (warnings.length === 0) return []
    const brown = warnings.some((w) => w.level === "brown")
      ? yield* reader.read(GuardParameters.r24BrownEntersWarningList)
      : false
    const seen = new Set<string>()
    const out: Array<WarningListEntry> = []
    for (const w of warnings) {
      if (w.level === "brown" && !brown) continue
      const k = `${w.person}|${w.rule}|${w.level}`
      if (seen.has(k)) continue
      seen.add(k)
      out.push({
        person: w.person,
        level: w.level,
        category: w.rule,
        raisedOn: context.on,
        ...(context.caseId === undefined ? {} : { caseId: context.caseId }),
        ...(context.district === undefined ? {} : { district: context.district }),
      })
    }
    return out
  })
