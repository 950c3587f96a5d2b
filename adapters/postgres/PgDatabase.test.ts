/**
 * Driver errors become typed store reasons at the adapter (issue 9): by SQLSTATE, with fixed sentences —
 * no driver message, SQLSTATE or constraint name in any message or serialised reason; the SQLSTATE stays
 * readable as the non-enumerable `sqlState` for logs. Errors are shaped as `pg` and PGlite raise them.
 */
import { describe, expect, it } from "vitest"
import { CaseStoreError } from "../../application/ports/CaseStore.js"
import { StockStoreError } from "../../application/ports/StockStore.js"
import { classify } from "./PgCaseStore.js"
import { classifyDbError } from "./PgDatabase.js"

const DATABASE_TEXT =
  /\b[0-9A-Z]{5}\b|violates|constraint|_key\b|_check\b|_fkey\b|\brelation\b|syntax error|duplicate key|out of range for type|invalid byte sequence|ECONNREFUSED|127\.0\.0\.1/u

const pgError = (code: string | undefined, message: string, extra: Record<string, string> = {}) =>
  Object.assign(new Error(message), code === undefined ? {} : { code }, extra)

const DRIVER_ERRORS = [
  pgError("23505", 'duplicate key value violates unique constraint "units_code_key"', {
    constraint: "units_code_key",
    detail: "Key (code)=(ABC) already exists.",
  }),
  pgError(
    "23503",
    'insert or update on table "units" violates foreign key constraint "units_building_fkey"',
    {
      constraint: "units_building_fkey",
      detail: 'Key (building_id)=(B-1) is not present in table "buildings".',
    },
  ),
  pgError("23514", 'new row for relation "units" violates check constraint "units_bedrooms_check"', {
    constraint: "units_bedrooms_check",
    detail: "Failing row contains (U-1, …).",
  }),
  pgError("23514", 'new row for relation "cases" violates check constraint "cases_id_check"', {
    constraint: "cases_id_check",
  }),
  pgError("23502", 'null value in column "name" of relation "projects" violates not-null constraint', {
    constraint: "",
  }),
  pgError("22021", 'invalid byte sequence for encoding "UTF8": 0x00'),
  pgError("22003", 'value "9223372036854775808" is out of range for type bigint'),
  pgError("22P02", 'invalid input syntax for type integer: "x"'),
  pgError("40001", "could not serialize access due to concurrent update"),
  pgError("40P01", "deadlock detected"),
  pgError("57P01", "terminating connection due to administrator command"),
  pgError("42P01", 'relation "anju.units" does not exist'),
  pgError("42601", 'syntax error at or near "SELEC"'),
  pgError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:5432"),
  pgError(undefined, "Connection terminated unexpectedly"),
]

describe("classifyDbError and PgCaseStore.classify map driver errors to typed reasons", () => {
  it("by SQLSTATE: conflict, missing reference, rejected (not retryable), contention, unavailable", () => {
    const tags = DRIVER_ERRORS.map((e) => classifyDbError(e)._tag)
    expect(tags).toEqual([
      "Conflict",
      "MissingReference",
      "Rejected",
      "Rejected",
      "Rejected",
      "Rejected",
      "Rejected",
      "Rejected",
      "Contention",
      "Contention",
      "Unavailable",
      "Unavailable",
      "Unavailable",
      "Unavailable",
      "Unavailable",
    ])
    expect(DRIVER_ERRORS.map((e) => classify(e)._tag)).toEqual([
      "Conflict",
      "Unavailable", // no foreign keys between case tables and others: not the caller's data
      "Rejected",
      "Rejected",
      "Rejected",
      "Rejected",
      "Rejected",
      "Rejected",
      "Contention",
      "Contention",
      "Unavailable",
      "Unavailable",
      "Unavailable",
      "Unavailable",
      "Unavailable",
    ])
    expect(new StockStoreError({ reason: classifyDbError(DRIVER_ERRORS[5]) }).isRetryable).toBe(false)
    expect(new CaseStoreError({ reason: classify(DRIVER_ERRORS[3]) }).isRetryable).toBe(false)
  })

  it("keeps what the caller needs (entity, key value) and names the broken rule in plain words", () => {
    expect(classifyDbError(DRIVER_ERRORS[0])).toMatchObject({
      _tag: "Conflict",
      entity: "unit",
      id: "ABC",
      detail: "public code already used",
    })
    expect(classifyDbError(DRIVER_ERRORS[1])).toMatchObject({
      _tag: "MissingReference",
      entity: "building",
      id: "B-1",
    })
    expect(classifyDbError(DRIVER_ERRORS[6])).toMatchObject({
      _tag: "Rejected",
      entity: "record",
      detail: "a number is outside the range the store can hold",
    })
  })

  it("no message or serialised reason carries driver text, a SQLSTATE or a constraint name", () => {
    for (const e of DRIVER_ERRORS) {
      const stock = new StockStoreError({ reason: classifyDbError(e) })
      const cases = new CaseStoreError({ reason: classify(e) })
      for (const text of [
        stock.message,
        JSON.stringify(stock.reason),
        cases.message,
        JSON.stringify(cases.reason),
      ])
        expect(text, e.message).not.toMatch(DATABASE_TEXT)
    }
  })

  it("the SQLSTATE stays available to logs as a non-enumerable sqlState", () => {
    const reason = classifyDbError(DRIVER_ERRORS[5]) as { readonly sqlState?: string }
    expect(reason.sqlState).toBe("22021")
    expect(Object.keys(reason)).not.toContain("sqlState")
    expect((classify(DRIVER_ERRORS[8]) as { readonly sqlState?: string }).sqlState).toBe("40001")
  })
})
