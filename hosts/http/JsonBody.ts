/**
 * The one reader of JSON request bodies for routes that decode by hand (case commands, login and
 * administration): UTF-8 text, `application/json` (or `+json`) only, a JSON object, decoded exactly
 * against the schema (unknown fields refused). An empty body with no content type counts as `{}` when
 * the operation has no fields. Failures say which status to answer (400 or 415) and why, never echo values.
 */
import { Result, Schema } from "effect"
import type { Context } from "hono"
import { STRICT } from "./HttpSchemas.js"

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/iu

export interface BodyProblem {
  readonly status: 400 | 415
  readonly message: string
}

const problem = (message: string, status: 400 | 415 = 400) => Result.fail<BodyProblem>({ status, message })

export const readJsonBody = async <S extends Schema.Top>(
  c: Context,
  schema: S,
  optional = false,
): Promise<Result.Result<S["Type"], BodyProblem>> => {
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim()
  const text = await c.req.text().catch(() => undefined)
  if (text === undefined) return problem("the body is not valid UTF-8")
  let raw: unknown = {}
  if (text === "" && type === "") {
    if (!optional) return problem("a JSON body is required")
  } else {
    if (!JSON_TYPE.test(type)) return problem("expected application/json", 415)
    try {
      raw = JSON.parse(text)
    } catch {
      return problem("malformed JSON")
    }
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    return problem("expected a JSON object body")
  const r = Schema.decodeUnknownResult(schema as never)(raw, STRICT)
  return Result.isSuccess(r) ? Result.succeed(r.success as S["Type"]) : problem(String(r.failure.message))
}
