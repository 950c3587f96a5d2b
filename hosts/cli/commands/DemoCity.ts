/**
 * `anju demo city [--units N] [--seed S] [storage flags]`: writes the synthetic city's housing stock
 * (hosts/demo/DemoCity.ts; default 450,000 units) into the chosen database in ONE StockStore write (on
 * PostgreSQL COPY into staging and one merge), and prints the counts, the seed and the SHA-256 digest of the
 * generated records (same seed → same digest). Progress bar on a terminal. Exit 0, 1 when the store refuses.
 * Households, cases and the fund ledger of issue 16 are not generated yet.
 */
import { createHash } from "node:crypto"
import { Exit, Layer, ManagedRuntime, Option } from "effect"
import { Flag } from "effect/cli"
import { StockStore } from "../../../application/ports/StockStore.js"
import { type CityStock, cityStockLines, generateCityStock, seededCityRandom } from "../../demo/DemoCity.js"
import { describeStorage, storesLayer } from "../../StoreSelection.js"
import { storageFlags, storageOf, UsageError } from "../Args.js"
import { defineCommand } from "../CliCommand.js"

const optionalInt = (name: string, metavar: string, description: string) =>
  Flag.Int(name).pipe(
    Flag.withMetavar(metavar),
    Flag.withDescription(description),
    Flag.optional,
    Flag.map(Option.getOrUndefined),
  )

/** SHA-256 over the records' lines (hex): the determinism check of `anju demo city`. */
export const cityDigest = (stock: CityStock): string => {
  const hash = createHash("sha256")
  for (const line of cityStockLines(stock)) hash.update(`${line}\n`)
  return hash.digest("hex")
}

export const DEFAULT_CITY_UNITS = 450_000
export const DEFAULT_CITY_SEED = 20_260_101

export const demoCity = defineCommand({
  words: ["demo", "city"],
  description: "write a synthetic Shanghai housing stock (deterministic for a seed) for benchmarks",
  examples: [
    { command: "anju demo city --database-url postgres://…/anju", description: "450,000 units" },
    { command: "anju demo city --units 2000 --seed 7 --memory", description: "a small city, nothing kept" },
  ],
  config: {
    units: optionalInt("units", "N", `housing units (default ${DEFAULT_CITY_UNITS.toLocaleString("en")})`),
    seed: optionalInt("seed", "S", `seed of the generator (default ${DEFAULT_CITY_SEED})`),
    storage: storageFlags,
  },
  run: async (input, io) => {
    const units = input.units ?? DEFAULT_CITY_UNITS
    const seed = input.seed ?? DEFAULT_CITY_SEED
    if (units < 1 || units > 5_000_000) throw new UsageError("--units: between 1 and 5,000,000")
    const storage = storageOf(input.storage, io.env)
    const progress = io.progress("demo city", 3)
    const started = performance.now()
    try {
      const stock = generateCityStock(seededCityRandom(seed), { units })
      const digest = cityDigest(stock)
      progress.tick(1, `writing ${units} units`)
      const runtime = ManagedRuntime.make(storesLayer(storage).pipe(Layer.orDie))
      try {
        const exit = await runtime.runPromiseExit(StockStore.use((store) => store.write(stock)))
        progress.tick(2, "done")
        progress.stop()
        if (Exit.isFailure(exit)) {
          io.err(
            `demo city failed on ${describeStorage(storage)}: ${exit.cause.reasons.map((r) => (r._tag === "Fail" ? r.error.message : String(r._tag === "Die" ? r.defect : "interrupted"))).join("; ")}`,
          )
          return 1
        }
        const w = exit.value
        io.out(
          [
            `demo city (seed ${seed}) on ${describeStorage(storage)}: ${stock.projects.length} projects, ${stock.buildings.length} buildings, ${stock.units.length} units`,
            `written: ${w.inserted.units} units (${w.unchanged.units} already stored) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
            `digest: sha256:${digest}`,
          ].join("\n"),
        )
        return 0
      } finally {
        await runtime.dispose()
      }
    } finally {
      progress.stop()
    }
  },
})
