/**
 * The public page of a lottery round (摇号公示, R53) as plain HTML for phones: zh-CN, viewport meta, inline
 * CSS, no script. It shows the round, the committed pool root and its time, the seed sources, the result
 * digest, annulled draws with their reasons, links to pool.csv / transcript.json / result.csv with the
 * verify command, and a "check my number" form (GET, same page) answering with place and inclusion proof.
 * Everything shown is public by design: application numbers and strata, never names or ID numbers.
 */
import { DateTime } from "effect"
import type { EntrantPlace, RoundStatus } from "../../application/lottery/LotteryRounds.js"
import type { StoredRound } from "../../application/ports/LotteryStore.js"
import { sourceText } from "../../domain/lottery/Seed.js"
import { escapeHtml as e } from "./UnitPage.js"

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 -apple-system,"PingFang SC","Noto Sans SC","Microsoft YaHei",sans-serif;color:#1f2328;background:#f4f5f7}
main{max-width:40rem;margin:0 auto;padding:1rem}
.card{background:#fff;border-radius:.75rem;padding:1rem 1.1rem;margin-bottom:1rem;box-shadow:0 1px 2px rgba(0,0,0,.06)}
h1{font-size:1.3rem;margin:.2rem 0}h2{font-size:1.05rem;margin:0 0 .5rem}
.status{display:inline-block;font-size:.85rem;border-radius:.3rem;padding:0 .45rem;background:#eef0f2}
.status-drawn{background:#e3f6e8;color:#146c2e}
dl{display:grid;grid-template-columns:auto 1fr;gap:.35rem 1rem;margin:0}
dt{color:#57606a}dd{margin:0;min-width:0}
.hex{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.8rem;word-break:break-all}
pre{white-space:pre-wrap;word-break:break-all;font-size:.78rem;background:#f6f8fa;border-radius:.4rem;padding:.6rem}
form{display:flex;gap:.5rem}input{flex:1;font-size:1rem;padding:.5rem;border:1px solid #d0d7de;border-radius:.4rem;min-width:0}
button{font-size:1rem;padding:.5rem .9rem;border:0;border-radius:.4rem;background:#0b5cad;color:#fff}
.win{color:#146c2e;font-weight:600}.wait{color:#9a6700;font-weight:600}.miss{color:#a1260d}
ul{padding-left:1.2rem;margin:.3rem 0}
footer{color:#8c959f;font-size:.8rem;text-align:center}
`

/** `2025-06-01 10:00:00` in Asia/Shanghai (UTC+8, no daylight saving). */
export const beijingTime = (t: DateTime.Utc): string =>
  `${new Date(DateTime.toEpochMillis(t) + 8 * 3600_000).toISOString().slice(0, 19).replace("T", " ")}（北京时间）`

const page = (title: string, body: string) => `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>
<style>${STYLE}</style>
</head>
<body><main>${body}<footer>安居 · 摇号公示 · 算法 anju-lottery/1，规则见 docs/lottery.md</footer></main></body>
</html>`

export interface LotteryPageInput {
  readonly round: StoredRound
  readonly status: RoundStatus
  /** Absolute URLs of the three files (the API under the public base URL). */
  readonly files: { readonly pool: string; readonly transcript: string; readonly result: string }
  /** The "check my number" answer: the entrant's place, `not-in-pool`, or absent when nothing was asked. */
  readonly check?: { readonly id: string; readonly place: EntrantPlace | "not-in-pool" }
}

const checkCard = (c: NonNullable<LotteryPageInput["check"]>) => {
  if (c.place === "not-in-pool") return `<p class="miss">申请编号 ${e(c.id)} 不在本批次摇号池中。</p>`
  const { proof, result } = c.place
  const outcome =
    result === null
      ? `<p>申请编号 ${e(c.id)} 在摇号池中（${e(proof.stratum || "单一分组")}），本批次尚未摇号。</p>`
      : `<p>申请编号 ${e(c.id)}：分组 ${e(result.stratum || "单一分组")}，第 <b>${result.rank}</b> 位，轮候序号 <b>${result.number}</b>，<span class="${result.outcome === "winner" ? "win" : "wait"}">${result.outcome === "winner" ? "入围选房" : "轮候"}</span>。</p>`
  return `${outcome}
<p>入池证明（Merkle 路径，可用 <code>anju lottery check-proof</code> 离线核验）：</p>
<pre>${e(JSON.stringify(proof, null, 2))}</pre>`
}

export const renderLotteryPage = (input: LotteryPageInput): string => {
  const r = input.round
  const standing = r.draws.find((d) => d.draw.annulment === null)
  const annulled = r.draws.filter((d) => d.draw.annulment !== null)
  const strata = r.units
    .map(
      (u) =>
        `<li>${e(u.stratum || "单一分组")}：${r.entrants.filter((x) => x.stratum === u.stratum).length} 户，房源 ${u.units} 套</li>`,
    )
    .join("")
  const drawCard =
    standing === undefined
      ? `<div class="card"><h2>摇号结果</h2><p>尚未摇号。摇号池已于上方时间冻结公示，种子在此之后确定。</p></div>`
      : `<div class="card"><h2>摇号结果</h2><dl>
<dt>摇号时间</dt><dd>${e(beijingTime(standing.draw.drawnAt))}</dd>
<dt>随机种子来源</dt><dd><ul>${standing.draw.seedSources.map((s) => `<li>${e(sourceText(s))}${s.note === undefined ? "" : `（${e(s.note)}）`}</li>`).join("")}</ul></dd>
<dt>合成种子</dt><dd class="hex">${e(standing.draw.seed)}</dd>
<dt>结果摘要</dt><dd class="hex">${e(standing.draw.resultDigest)}</dd>
<dt>摇号编号</dt><dd>${e(standing.draw.drawId)}</dd>
</dl></div>`
  const annulCard =
    annulled.length === 0
      ? ""
      : `<div class="card"><h2>已作废的摇号</h2><ul>${annulled
          .map(
            (d) =>
              `<li>${e(d.draw.drawId)}（${e(beijingTime(d.draw.drawnAt))}）：${e(d.draw.annulment!.reason)}，作废于 ${e(beijingTime(d.draw.annulment!.annulledAt))}</li>`,
          )
          .join("")}</ul></div>`
  const files =
    standing === undefined
      ? `<li><a href="${e(input.files.pool)}">pool.csv</a>（摇号池）</li>`
      : `<li><a href="${e(input.files.pool)}">pool.csv</a>（摇号池）</li>
<li><a href="${e(input.files.transcript)}">transcript.json</a>（摇号记录）</li>
<li><a href="${e(input.files.result)}">result.csv</a>（结果）</li>`
  return page(
    `${r.title} · 摇号公示`,
    `<div class="card">
<span class="status status-${input.status}">${input.status === "drawn" ? "已摇号" : "摇号池已公示，待摇号"}</span>
<h1>${e(r.title)}</h1>
<dl>
<dt>批次编号</dt><dd>${e(r.roundId)}</dd>
<dt>项目</dt><dd>${e(r.projectId)}</dd>
<dt>户型</dt><dd>${r.unitTypes.map(e).join("、")}</dd>
<dt>摇号池</dt><dd>${r.entrants.length} 户<ul>${strata}</ul></dd>
<dt>池根（${e(r.hash)}）</dt><dd class="hex">${e(r.poolRoots[r.hash])}</dd>
<dt>公示（冻结）时间</dt><dd>${e(beijingTime(r.openedAt))}</dd>
</dl></div>
${drawCard}${annulCard}
<div class="card"><h2>查询我的编号</h2>
<form method="get" action=""><input name="id" placeholder="申请编号" maxlength="256" value="${e(input.check?.id ?? "")}" aria-label="申请编号"><button type="submit">查询</button></form>
${input.check === undefined ? "" : checkCard(input.check)}
</div>
<div class="card"><h2>自行核验</h2><ul>${files}</ul>
${standing === undefined ? "" : "<pre>anju lottery verify --pool pool.csv --transcript transcript.json --result result.csv</pre>"}
</div>`,
  )
}
