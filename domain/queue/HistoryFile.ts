/**
 * history.csv / history.yaml for `anju queue simulate` (#207): one event per row, columns `date`, `event`
 * (arrival | supply | exit) and, per event, the applicants.csv columns (arrival; `entry_time` and
 * `qualification_date` default to `date`), `project,unit_type[,unit],units` (supply), or `id` (exit). The
 * YAML form is a list (or `events:` list) of maps with the same keys. Pure: text in, events or the first error.
 */
import { Result } from "effect"
import * as YAML from "yaml"
import { parseCsv, type TabularRow } from "../stock/Tabular.js"
import * as CivilDate from "../values/CivilDate.js"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import { applicantFromRow, cell, type Header, readHeader } from "./ApplicantCsv.js"
import type { HistoryEvent } from "./Simulation.js"

const eventFromRow = (h: Header, row: TabularRow): Result.Result<HistoryEvent, InvalidValue> => {
  const at = (c: string) => `row ${row.row}: ${c}`
  const dayR = CivilDate.parse(cell(h, row, "date"), at("date"))
  if (Result.isFailure(dayR)) return Result.fail(dayR.failure)
  const day = dayR.success
  const kind = cell(h, row, "event").toLowerCase()
  if (kind === "arrival") {
    const cells = [...row.cells]
    const hh = new Map(h)
    for (const c of ["entry_time", "qualification_date"]) {
      if (cell(h, row, c) !== "") continue
      if (!hh.has(c)) hh.set(c, cells.length)
      cells[hh.get(c)!] = day
    }
    return Result.map(applicantFromRow(hh, { row: row.row, cells }), (applicant) => ({
      _tag: "Arrival" as const,
      day,
      applicant,
    }))
  }
  if (kind === "supply") {
    const units = Number(cell(h, row, "units"))
    if (!Number.isInteger(units) || units < 0)
      return Result.fail(
        invalid(at("units"), "queue.units", cell(h, row, "units"), "units must be a whole number ≥ 0"),
      )
    const project = cell(h, row, "project")
    const unitType = cell(h, row, "unit_type")
    if (project === "") return Result.fail(invalid(at("project"), "csv.required", "", "project is empty"))
    const unit = cell(h, row, "unit")
    return Result.succeed({ _tag: "Supply", day, project, unitType, ...(unit === "" ? {} : { unit }), units })
  }
  if (kind === "exit") {
    const id = cell(h, row, "id")
    return id === ""
      ? Result.fail(invalid(at("id"), "csv.required", "", "id is empty"))
      : Result.succeed({ _tag: "Exit", day, id })
  }
  return Result.fail(invalid(at("event"), "queue.event", kind, "event must be arrival, supply or exit"))
}

const fromRows = (
  rows: ReadonlyArray<TabularRow>,
): Result.Result<ReadonlyArray<HistoryEvent>, InvalidValue> => {
  const [first, ...rest] = rows
  if (first === undefined) return Result.fail(invalid("file", "csv.empty", "", "the file has no header"))
  const h = readHeader(first, ["date", "event"])
  if (Result.isFailure(h)) return Result.fail(h.failure)
  const out: Array<HistoryEvent> = []
  for (const row of rest) {
    const e = eventFromRow(h.success, row)
    if (Result.isFailure(e)) return Result.fail(e.failure)
    out.push(e.success)
  }
  return Result.succeed(out)
}

export const parseHistoryCsv = (text: string): Result.Result<ReadonlyArray<HistoryEvent>, InvalidValue> =>
  Result.flatMap(parseCsv(text), fromRows)

export const parseHistoryYaml = (text: string): Result.Result<ReadonlyArray<HistoryEvent>, InvalidValue> => {
  let doc: unknown
  try {
    doc = YAML.parse(text)
  } catch (e) {
    return Result.fail(invalid("file", "yaml.syntax", "", (e as Error).message))
  }
  const list = Array.isArray(doc) ? doc : (doc as { events?: unknown } | null)?.events
  if (!Array.isArray(list))
    return Result.fail(invalid("file", "queue.history", "", "expected a list of events"))
  const keys = [...new Set(list.flatMap((e) => (typeof e === "object" && e !== null ? Object.keys(e) : [])))]
  const rows: Array<TabularRow> = [{ row: 1, cells: keys }]
  list.forEach((e, i) => {
    const o = (typeof e === "object" && e !== null ? e : {}) as Record<string, unknown>
    rows.push({
      row: i + 2,
      cells: keys.map((k) => {
        const v = o[k]
        return v === undefined || v === null
          ? ""
          : v instanceof Date
            ? v.toISOString().slice(0, 10)
            : String(v)
      }),
    })
  })
  return fromRows(rows)
}
