/**
 * `npm run bench`: runs every benchmark and prints its figures. Targets from the issues are printed
 * next to the measurements; nothing here fails a build (performance is reported, not unit-tested).
 * `npm run bench -- stock` runs only the benchmarks whose name contains "stock"; `--quick` runs those that
 * support it at tiny sizes with short runs (CI smoke).
 */
import { benchContracts } from "./ContractBench.js"
import { benchFund } from "./FundBench.js"
import { benchJobQueue } from "./JobQueueBench.js"
import { benchLottery } from "./LotteryBench.js"
import { benchQueue } from "./QueueBench.js"
import { benchReadPath } from "./ReadPathBench.js"
import { benchStockImport } from "./StockImportBench.js"

interface Bench {
  readonly name: string
  readonly run: () => Promise<void>
}

const url = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
const quick = process.argv.includes("--quick")

const BENCHES: ReadonlyArray<Bench> = [
  {
    name: "stock-import-postgres",
    run: async () =>
      void (await benchStockImport({ url, units: Number(process.env["BENCH_UNITS"] ?? 100_000) })),
  },
  { name: "fund", run: async () => void (await benchFund({ url })) },
  {
    name: "lottery",
    run: async () =>
      void (await benchLottery({ entrants: Number(process.env["BENCH_ENTRANTS"] ?? 1_000_000) })),
  },
  { name: "queue", run: async () => void (await benchQueue()) },
  { name: "contracts", run: async () => void (await benchContracts({ contracts: quick ? 10 : 100 })) },
  { name: "read-path", run: async () => void (await benchReadPath({ url, quick })) },
  {
    name: "jobqueue-relay",
    run: async () =>
      void (await benchJobQueue({ url, redisUrl: process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379" })),
  },
]

const filter = process.argv.slice(2).find((a) => !a.startsWith("--"))
for (const b of BENCHES) {
  if (filter !== undefined && !b.name.includes(filter)) continue
  console.log(`\n## ${b.name}`)
  await b.run()
}
