/**
 * pool.csv and units.csv (R53, R55) as pure text → values. pool.csv: a header with `id` (required) and
 * `stratum` (optional, names matched case-insensitively), other columns ignored — so ID numbers, names and
 * phones in an export never enter the encoding. Ids are unique; a duplicate or empty id fails naming the line.
 * units.csv: `stratum,units`, one row per stratum, units a non-negative integer.
 */
import { Result } from "effect"
import { type CsvProblem, forEachRecord } from "./Csv.js"
import { canonicalText, type Entrant, findFirstDuplicate, type Pool, PoolInvalid } from "./Pool.js"

const malformed =
  (file: "pool.csv" | "units.csv") =>
  (p: CsvProblem): PoolInvalid =>
    new PoolInvalid({ file, line: p.line, rule: "R53.csv-syntax", value: "", message: p.message })

const headerIndex = (cells: ReadonlyArray<string>, name: string): number | "twice" => {
  let at = -1
  for (let i = 0; i < cells.length; i++) {
    if (cells[i]!.trim().toLowerCase() === name) {
      if (at >= 0) return "twice"
      at = i
    }
  }
  return at
}

/** Parses pool.csv text into a validated pool. */
export const parsePoolCsv = (text: string): Result.Result<Pool, PoolInvalid> => {
  const file = "pool.csv"
  const entrants: Array<Entrant> = []
  const lineOf: Array<number> = []
  const strata = new Map<string, string>()
  let idCol = -1
  let stratumCol = -1
  let headerSeen = false
  const error = forEachRecord<PoolInvalid>(
    text,
    (record) => {
      const line = record.line
      if (!headerSeen) {
        headerSeen = true
        const cells = record.cells()
        const id = headerIndex(cells, "id")
        const st = headerIndex(cells, "stratum")
        if (id === "twice" || st === "twice")
          return new PoolInvalid({
            file,
            line,
            rule: "R53.pool-header",
            value: cells.join(","),
            message: "a header column appears twice",
          })
        if (id < 0)
          return new PoolInvalid({
            file,
            line,
            rule: "R53.pool-header",
            value: cells.join(","),
            message: "header has no id column",
          })
        idCol = id
        stratumCol = st
        return undefined
      }
      const rawId = record.cell(idCol)
      if (rawId === undefined)
        return new PoolInvalid({
          file,
          line,
          rule: "R53.id-empty",
          value: "",
          message: `line ${line}: no id column`,
        })
      const id = canonicalText(rawId, "id")
      if (!("text" in id))
        return new PoolInvalid({
          file,
          line,
          rule: id.rule,
          value: rawId,
          message: `line ${line}: ${id.message}`,
        })
      const rawStratum = stratumCol < 0 ? "" : (record.cell(stratumCol) ?? "")
      let stratum = strata.get(rawStratum) // one string per stratum, not per entrant
      if (stratum === undefined) {
        const st = canonicalText(rawStratum, "stratum")
        if (!("text" in st))
          return new PoolInvalid({
            file,
            line,
            rule: st.rule,
            value: rawStratum,
            message: `line ${line}: ${st.message}`,
          })
        stratum = st.text
        strata.set(rawStratum, stratum)
      }
      entrants.push({ id: id.text, stratum })
      lineOf.push(line)
      return undefined
    },
    malformed(file),
  )
  // Duplicates are found in one pass after reading; the earlier of (first repeat, other error) is reported.
  const dup = findFirstDuplicate(entrants.map((e) => e.id))
  if (dup !== undefined && (error === undefined || lineOf[dup[1]]! < error.line)) {
    const id = entrants[dup[1]]!.id
    const line = lineOf[dup[1]]!
    return Result.fail(
      new PoolInvalid({
        file,
        line,
        rule: "R53.id-duplicate",
        value: id,
        message: `line ${line}: duplicate id ${id} (first on line ${lineOf[dup[0]]!})`,
      }),
    )
  }
  if (error !== undefined) return Result.fail(error)
  if (!headerSeen)
    return Result.fail(
      new PoolInvalid({ file, line: 1, rule: "R53.pool-header", value: "", message: "pool.csv is empty" }),
    )
  if (entrants.length === 0)
    return Result.fail(
      new PoolInvalid({
        file,
        line: 2,
        rule: "R53.pool-empty",
        value: "",
        message: "pool.csv has no entrants",
      }),
    )
  return Result.succeed({ entrants })
}

/** Parses units.csv text (`stratum,units`) into unit counts per stratum (R55). */
export const parseUnitsCsv = (text: string): Result.Result<ReadonlyMap<string, number>, PoolInvalid> => {
  const file = "units.csv"
  const units = new Map<string, number>()
  const lines = new Map<string, number>()
  let sCol = -1
  let uCol = -1
  let headerSeen = false
  const error = forEachRecord<PoolInvalid>(
    text,
    (record) => {
      const line = record.line
      const cells = record.cells()
      if (!headerSeen) {
        headerSeen = true
        const s = headerIndex(cells, "stratum")
        const u = headerIndex(cells, "units")
        if (s === "twice" || u === "twice" || s < 0 || u < 0)
          return new PoolInvalid({
            file,
            line,
            rule: "R55.units-header",
            value: cells.join(","),
            message: "header must have stratum and units once each",
          })
        sCol = s
        uCol = u
        return undefined
      }
      const rawStratum = cells[sCol] ?? ""
      const st = canonicalText(rawStratum, "stratum")
      if (!("text" in st))
        return new PoolInvalid({
          file,
          line,
          rule: st.rule,
          value: rawStratum,
          message: `line ${line}: ${st.message}`,
        })
      const rawUnits = (cells[uCol] ?? "").trim()
      if (!/^[0-9]{1,15}$/u.test(rawUnits))
        return new PoolInvalid({
          file,
          line,
          rule: "R55.units-count",
          value: rawUnits,
          message: `line ${line}: units must be a non-negative integer`,
        })
      const first = lines.get(st.text)
      if (first !== undefined)
        return new PoolInvalid({
          file,
          line,
          rule: "R55.units-duplicate",
          value: st.text,
          message: `line ${line}: stratum ${st.text} listed twice (first on line ${first})`,
        })
      lines.set(st.text, line)
      units.set(st.text, Number(rawUnits))
      return undefined
    },
    malformed(file),
  )
  if (error !== undefined) return Result.fail(error)
  if (!headerSeen)
    return Result.fail(
      new PoolInvalid({ file, line: 1, rule: "R55.units-header", value: "", message: "units.csv is empty" }),
    )
  return Result.succeed(units)
}
