/**
 * The floor of the read-path benchmark (issue 16 item 2): a minimal Hono + pg handler for
 * `GET /api/v1/codes/{code}` running the same SQL the PgStockStore runs for that route (PgStockStore
 * `placedUnitQuery`, compiled by the benchmark and handed over in BENCH_SQL) and answering the row as JSON. No guard, audit, decoding or scope: what the database and Node can do.
 * Started by ReadPathBench.ts in its own process: DATABASE_URL, BENCH_SQL, PORT from the environment.
 */
import { serve } from "@hono/node-server"
import { Hono } from "hono"
import pg from "pg"

const main = () => {
  const url = process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
  const text = process.env["BENCH_SQL"]
  if (text === undefined) throw new Error("BENCH_SQL (the store's statement) is not set")
  const port = Number(process.env["PORT"] ?? 3100)
  // pg's default pool size, as the host's PgDatabase (max 10).
  const pool = new pg.Pool({ connectionString: url, max: 10 })
  const app = new Hono()
  app.get("/health", (c) => c.json({ status: "ok" }))
  app.get("/api/v1/codes/:code", async (c) => {
    const r = await pool.query({ text, values: [c.req.param("code")] })
    const row = r.rows[0] as Record<string, unknown> | undefined
    if (row === undefined) return c.json({ error: "not_found" }, 404)
    return c.json(row, 200, { "Cache-Control": "public, max-age=60" })
  })
  const server = serve({ fetch: app.fetch, port, hostname: "127.0.0.1" })
  const stop = () => {
    server.close()
    void pool.end()
  }
  process.on("SIGTERM", stop)
  process.on("SIGINT", stop)
}

if (process.env["BENCH_FLOOR"] === "1") main()
