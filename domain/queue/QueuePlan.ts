/**
 * Queue plans (轮候方案, R45–R50, #206): priority groups (优先组) as conjunctions of conditions over household
 * attributes, an ordering (排序规则) as an explicit chain that must end with the stable id (the conflict
 * resolution, 冲突解决机制), the pool mode (轮候模式: per project × unit type or per unit), admission filters,
 * exit (出列) and removal (退出) conditions. Plans decode from YAML with errors naming the field. Built-ins:
 * 公租 (R45), 共有产权 (R46), 保租 (R47).
 */
import { Data, Result, Schema } from "effect"
import * as YAML from "yaml"

const Condition = Schema.Union([
  Schema.Struct({
    attribute: Schema.Literal("hardship"),
    in: Schema.Array(Schema.Literals(["tekun", "dibao"])),
  }),
  Schema.Struct({ attribute: Schema.Literal("industry"), in: Schema.Array(Schema.String) }),
  Schema.Struct({
    attribute: Schema.Literals(["income", "housingArea", "familySize"]),
    min: Schema.optionalKey(Schema.Finite),
    max: Schema.optionalKey(Schema.Finite),
  }),
  Schema.Struct({ attribute: Schema.Literal("ownsHome"), equals: Schema.Boolean }),
])
export type Condition = typeof Condition.Type

const PriorityGroup = Schema.Struct({
  id: Schema.String.check(Schema.isPattern(/^[A-Za-z0-9_-]+$/u)),
  label: Schema.optionalKey(Schema.String),
  /** Every condition must hold for a household to enter the group. */
  all: Schema.Array(Condition).check(Schema.isMinLength(1)),
})
export type PriorityGroup = typeof PriorityGroup.Type

export const ORDER_KEYS = [
  "priorityCount",
  "priorityGroup",
  "intention",
  "entryTime",
  "qualificationDate",
  "id",
] as const
export type OrderKey = (typeof ORDER_KEYS)[number]

const OrderRule = Schema.Struct({
  by: Schema.Literals(ORDER_KEYS),
  direction: Schema.optionalKey(Schema.Literals(["asc", "desc"])),
})
export type OrderRule = typeof OrderRule.Type

const PlanSchema = Schema.Struct({
  id: Schema.String.check(Schema.isMinLength(1)),
  name: Schema.optionalKey(Schema.String),
  /** 项目户型轮候建库 unit-type, or 项目房源按套建库 unit (R50). */
  pool: Schema.Literals(["unit-type", "unit"]),
  admission: Schema.optionalKey(
    Schema.Struct({
      /** R45/R49: only households whose certificate is valid on the ranking date. */
      validCertificate: Schema.optionalKey(Schema.Boolean),
      /** R46: only households with an intention mark (1次/2次). */
      intentionMarked: Schema.optionalKey(Schema.Boolean),
    }),
  ),
  priorityGroups: Schema.optionalKey(Schema.Array(PriorityGroup)),
  order: Schema.Array(OrderRule),
  exit: Schema.optionalKey(
    Schema.Struct({
      /** R48: waiting time reaching this many days makes the household due for allocation. */
      waitingDaysAtLeast: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))),
      /** R48: membership of any of these groups (e.g. hardship) makes it due. */
      groups: Schema.optionalKey(Schema.Array(Schema.String)),
    }),
  ),
  removal: Schema.optionalKey(
    Schema.Struct({
      /** R48 收入超标: per-capita annual income above this (CNY). */
      incomeAbove: Schema.optionalKey(Schema.Finite),
      /** R48 已购住房. */
      ownsHome: Schema.optionalKey(Schema.Boolean),
      /** R48 提供虚假信息. */
      falseInformation: Schema.optionalKey(Schema.Boolean),
      /** R48 主动放弃. */
      abandoned: Schema.optionalKey(Schema.Boolean),
    }),
  ),
})
export type QueuePlan = typeof PlanSchema.Type

/** A plan file that cannot be used; `message` names the field (`at ["order"][2]["by"]`). */
export class QueuePlanInvalid extends Data.TaggedError("QueuePlanInvalid")<{
  readonly source: string
  readonly message: string
}> {}

const decode = Schema.decodeUnknownResult(PlanSchema, { onExcessProperty: "error" })

/** Order rules may be written as a bare key (`- entryTime`) or `{ by, direction }`. */
const normaliseOrder = (raw: unknown): unknown => {
  if (typeof raw !== "object" || raw === null || !("order" in raw)) return raw
  const o = (raw as { order: unknown }).order
  return Array.isArray(o) ? { ...raw, order: o.map((r) => (typeof r === "string" ? { by: r } : r)) } : raw
}

/** Checks what the schema cannot: the chain ends with `id` exactly once; group ids are unique and known. */
const checkPlan = (p: QueuePlan): string | undefined => {
  const ids = p.order.map((r) => r.by)
  if (ids.at(-1) !== "id") return 'at ["order"]: the ordering must end with the stable tie-break `id`'
  const seen = new Set<string>()
  for (const [i, k] of ids.entries()) {
    if (seen.has(k)) return `at ["order"][${i}]: \`${k}\` appears twice`
    seen.add(k)
  }
  const groups = p.priorityGroups ?? []
  if (groups.length > 31) return 'at ["priorityGroups"]: at most 31 groups'
  const gids = new Set<string>()
  for (const [i, g] of groups.entries()) {
    if (gids.has(g.id)) return `at ["priorityGroups"][${i}]["id"]: duplicate group id ${g.id}`
    gids.add(g.id)
  }
  for (const [i, g] of (p.exit?.groups ?? []).entries())
    if (!gids.has(g)) return `at ["exit"]["groups"][${i}]: unknown priority group ${g}`
  return undefined
}

export const decodePlan = (value: unknown, source = "plan"): Result.Result<QueuePlan, QueuePlanInvalid> => {
  const r = decode(normaliseOrder(value))
  if (Result.isFailure(r)) return Result.fail(new QueuePlanInvalid({ source, message: r.failure.message }))
  const problem = checkPlan(r.success)
  return problem === undefined
    ? Result.succeed(r.success)
    : Result.fail(new QueuePlanInvalid({ source, message: problem }))
}

/** Parses a plan from YAML text. */
export const parsePlanYaml = (
  text: string,
  source = "plan.yaml",
): Result.Result<QueuePlan, QueuePlanInvalid> => {
  let value: unknown
  try {
    value = YAML.parse(text)
  } catch (e) {
    return Result.fail(new QueuePlanInvalid({ source, message: `YAML syntax: ${(e as Error).message}` }))
  }
  return decodePlan(value, source)
}

const HARDSHIP_GROUP: PriorityGroup = {
  id: "hardship",
  label: "特困/低保",
  all: [{ attribute: "hardship", in: ["tekun", "dibao"] }],
}

/**
 * 公租 (R45, R49): valid certificate only; by qualification date, earliest first; then pool-entry time; then
 * id. The hardship group is reported (the special-group channel is district-specific, 按各区规则) but does not
 * reorder the queue.
 */
export const GONGZU: QueuePlan = {
  id: "builtin:gongzu",
  name: "公租房轮候（R45）",
  pool: "unit-type",
  admission: { validCertificate: true },
  priorityGroups: [HARDSHIP_GROUP],
  order: [{ by: "qualificationDate" }, { by: "entryTime" }, { by: "id" }],
  removal: { ownsHome: true, falseInformation: true, abandoned: true },
}

/**
 * 共有产权 (R46): only households with an intention mark (1次/2次) take part; 1次 before 2次, then
 * qualification date, pool-entry time, id. The selection order itself comes from the lottery (R53).
 */
export const GONGYOU: QueuePlan = {
  id: "builtin:gongyou",
  name: "共有产权住房轮候（R46）",
  pool: "unit-type",
  admission: { validCertificate: true, intentionMarked: true },
  order: [{ by: "intention" }, { by: "qualificationDate" }, { by: "entryTime" }, { by: "id" }],
  removal: { ownsHome: true, falseInformation: true, abandoned: true },
}

/** 保租 (R47, R165): per project × unit type, first come first served by queue registration time, then id. */
export const BAOZU: QueuePlan = {
  id: "builtin:baozu",
  name: "保障性租赁住房轮候（R47）",
  pool: "unit-type",
  order: [{ by: "entryTime" }, { by: "id" }],
  removal: { falseInformation: true, abandoned: true },
}

export const BUILTIN_PLANS: Readonly<Record<string, QueuePlan>> = {
  "builtin:gongzu": GONGZU,
  "builtin:gongyou": GONGYOU,
  "builtin:baozu": BAOZU,
}
