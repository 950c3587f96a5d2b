/**
 * The worker's schedules as data (定时任务表, `policy/worker/schedules.yaml`): each entry names a job kind, its
 * recurrence in Asia/Shanghai (cron or interval) and the rule ids it serves. Parsing is pure and lists EVERY
 * problem at once (bad YAML, an unknown key, a malformed cron, a duplicate id, a wrong time zone), so a
 * broken file stops the worker at start instead of at 00:05.
 */
import * as YAML from "yaml"
import type { Recurrence, ScheduleDefinition } from "../ports/JobQueue.js"
import { recurrenceProblem, SCHEDULE_TIME_ZONE } from "./Recurrence.js"

export interface ScheduleEntry {
  readonly id: string
  readonly kind: string
  readonly every: Recurrence
  /** Rule ids of the seeds this schedule serves (R58, …). */
  readonly rules: ReadonlyArray<string>
  readonly description: string
}

export type ScheduleTableResult =
  | { readonly _tag: "Ok"; readonly schedules: ReadonlyArray<ScheduleEntry> }
  | { readonly _tag: "Invalid"; readonly problems: ReadonlyArray<string> }

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** `5s`, `10m`, `1h`, `1d` → milliseconds; null when malformed. */
export const intervalMs = (text: string): number | null => {
  const m = /^(\d{1,9})\s*([smhd])$/u.exec(text.trim())
  if (m === null) return null
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!
  return ms >= 1_000 ? ms : null
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v)

const ENTRY_KEYS = new Set(["id", "kind", "every", "rules", "description"])

/** Parses and checks the schedule file's text. `name` is used in problem messages. */
export const parseScheduleTable = (text: string, name = "schedules.yaml"): ScheduleTableResult => {
  let root: unknown
  try {
    root = YAML.parse(text)
  } catch (e) {
    return { _tag: "Invalid", problems: [`${name}: not YAML (${e instanceof Error ? e.message : e})`] }
  }
  if (!isRecord(root) || !Array.isArray(root["schedules"]))
    return { _tag: "Invalid", problems: [`${name}: expected a top-level \`schedules:\` list`] }
  const problems: Array<string> = []
  if (root["time_zone"] !== undefined && root["time_zone"] !== SCHEDULE_TIME_ZONE)
    problems.push(`${name}: time_zone must be ${SCHEDULE_TIME_ZONE} (schedules are civil times in Shanghai)`)
  const out: Array<ScheduleEntry> = []
  const seen = new Set<string>()
  root["schedules"].forEach((raw: unknown, i: number) => {
    const at = `${name}: schedules[${i}]`
    if (!isRecord(raw)) {
      problems.push(`${at}: expected a mapping`)
      return
    }
    for (const k of Object.keys(raw)) if (!ENTRY_KEYS.has(k)) problems.push(`${at}: unknown key \`${k}\``)
    const id = raw["id"]
    const kind = raw["kind"]
    const rules = raw["rules"]
    const description = raw["description"] ?? ""
    const every = raw["every"]
    const before = problems.length
    if (typeof id !== "string" || !/^[a-z][a-z0-9._-]{0,63}$/u.test(id))
      problems.push(`${at}.id: a lower-case name is required`)
    else if (seen.has(id)) problems.push(`${at}.id: ${id} is listed twice`)
    else seen.add(id)
    if (typeof kind !== "string" || !/^[a-z][a-z0-9._-]{0,63}$/u.test(kind))
      problems.push(`${at}.kind: a lower-case job kind is required`)
    if (!Array.isArray(rules) || rules.length === 0 || !rules.every((r) => typeof r === "string"))
      problems.push(`${at}.rules: list the rule ids this schedule serves`)
    if (typeof description !== "string") problems.push(`${at}.description: text expected`)
    let recurrence: Recurrence | null = null
    if (!isRecord(every) || Object.keys(every).length !== 1)
      problems.push(`${at}.every: exactly one of \`cron\` or \`interval\``)
    else if (typeof every["cron"] === "string") recurrence = { _tag: "Cron", expression: every["cron"] }
    else if (typeof every["interval"] === "string") {
      const ms = intervalMs(every["interval"])
      if (ms === null) problems.push(`${at}.every.interval: a number and s|m|h|d, at least 1s ("5s", "1h")`)
      else recurrence = { _tag: "Interval", ms }
    } else problems.push(`${at}.every: exactly one of \`cron\` or \`interval\``)
    if (recurrence !== null) {
      const p = recurrenceProblem(recurrence)
      if (p !== null) problems.push(`${at}.every: ${p}`)
    }
    if (problems.length === before && recurrence !== null)
      out.push({
        id: id as string,
        kind: kind as string,
        every: recurrence,
        rules: rules as ReadonlyArray<string>,
        description: (description as string).trim(),
      })
  })
  return problems.length > 0 ? { _tag: "Invalid", problems } : { _tag: "Ok", schedules: out }
}

/** The JobQueue schedule of an entry; the payload carries the rule ids, for the logs. */
export const toScheduleDefinition = (e: ScheduleEntry): ScheduleDefinition => ({
  id: e.id,
  kind: e.kind,
  every: e.every,
  payload: { rules: [...e.rules] },
})
