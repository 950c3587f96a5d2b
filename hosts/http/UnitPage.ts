/**
 * The public page of a unit (一房一码, J2) as plain HTML for phones: zh-CN, viewport meta, inline CSS,
 * no scripts and nothing loaded from elsewhere. Every interpolated value goes through `escapeHtml`;
 * the page shows only the public record (no personal data, no internal ids).
 */
import { HOUSING_KIND_LABELS } from "../../domain/stock/HousingKind.js"
import type { UnitPublicRecord } from "../../domain/stock/Stock.js"
import { UNIT_STATUS_LABELS } from "../../domain/stock/UnitStatus.js"
import * as AreaM from "../../domain/values/Area.js"
import * as MoneyM from "../../domain/values/Money.js"

const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
}

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/gu, (ch) => ENTITIES[ch] ?? ch)

/** `tel:` target: digits and a leading +, so dialers accept landlines written as 021-12345678. */
export const telHref = (phone: string): string => `tel:${phone.replace(/[^\d+]/gu, "")}`

const floorText = (floor: number, total: number, lift: boolean) =>
  `${floor < 0 ? `地下${-floor}层` : `${floor}层`}（共${total}层，${lift ? "有电梯" : "无电梯"}）`

const groupCode = (code: string) => code.replace(/(.{4})(?=.)/gu, "$1 ")

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 -apple-system,"PingFang SC","Noto Sans SC","Microsoft YaHei",sans-serif;color:#1f2328;background:#f4f5f7}
main{max-width:34rem;margin:0 auto;padding:1rem}
.card{background:#fff;border-radius:.75rem;padding:1rem 1.1rem;margin-bottom:1rem;box-shadow:0 1px 2px rgba(0,0,0,.06)}
h1{font-size:1.35rem;margin:.2rem 0}
.kind{display:inline-block;font-size:.8rem;color:#0b5cad;background:#e7f0fb;border-radius:.3rem;padding:0 .4rem}
.status{float:right;font-size:.85rem;border-radius:.3rem;padding:0 .45rem;background:#eef0f2}
.status-available{background:#e3f6e8;color:#146c2e}.status-locked,.status-unusable{background:#fdecea;color:#a1260d}
.addr{color:#57606a;margin:.2rem 0 0}
.rent{font-size:1.6rem;font-weight:600;color:#c2410c}.rent small{font-size:.9rem;color:#57606a;font-weight:400}
dl{display:grid;grid-template-columns:auto 1fr;gap:.35rem 1rem;margin:0}
dt{color:#57606a}dd{margin:0}
.call{display:block;text-align:center;background:#0b5cad;color:#fff;text-decoration:none;border-radius:.5rem;padding:.75rem;font-size:1.05rem}
.qr{text-align:center}.qr img{width:10rem;height:10rem}
code{font-size:1rem;letter-spacing:.05em}
footer{color:#8c959f;font-size:.8rem;text-align:center}
`

const page = (title: string, body: string) => `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`

/** The unit page; `qrSvgPath` is a URL (relative is fine) of the unit's own QR image. */
export const renderUnitPage = (r: UnitPublicRecord, qrSvgPath: string): string => {
  const e = escapeHtml
  const rows: ReadonlyArray<readonly [string, string]> = [
    ["区县", r.districtName],
    ["地址", r.address],
    ["楼栋", r.buildingName],
    ["楼层", floorText(r.floor, r.totalFloors, r.hasLift)],
    ["房号", `${r.room}室`],
    ["户型", `${r.bedrooms}室${r.halls}厅`],
    ["面积", AreaM.format(r.area)],
    ["朝向", r.orientation ?? "—"],
    ["装修", r.decoration ?? "—"],
    ["房源类别", HOUSING_KIND_LABELS[r.kind]],
  ]
  return page(
    `${r.projectName} ${r.buildingName} ${r.room}室 · 房源信息`,
    `<section class="card">
<span class="kind">${e(HOUSING_KIND_LABELS[r.kind])}</span>
<span class="status status-${e(r.status)}">${e(UNIT_STATUS_LABELS[r.status])}</span>
<h1>${e(r.projectName)}</h1>
<p class="addr">${e(r.districtName)} · ${e(r.address)}</p>
<p class="addr">${e(r.buildingName)} ${e(r.room)}室</p>
</section>
<section class="card">
<div>月租金</div>
<div class="rent">${e(MoneyM.format(r.rent))}<small> /月</small></div>
</section>
<section class="card">
<dl>
${rows.map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`).join("\n")}
<dt>房源编码</dt><dd><code>${e(groupCode(r.code))}</code></dd>
</dl>
</section>
<section class="card">
<a class="call" href="${e(telHref(r.servicePhone))}">服务电话 ${e(r.servicePhone)}</a>
</section>
<section class="card qr">
<img src="${e(qrSvgPath)}" alt="本房源二维码" width="160" height="160">
</section>
<footer>一房一码 · 信息以运营机构核实为准</footer>`,
  )
}

export const renderNotFoundPage = (): string =>
  page(
    "未找到房源",
    `<section class="card">
<h1>未找到房源</h1>
<p>该房源编码不存在或已失效，请核对二维码或编码后重试。</p>
</section>`,
  )

/** Shown when the store is busy or unreachable (503), never for an unknown code. */
export const renderUnavailablePage = (): string =>
  page(
    "服务暂不可用",
    `<section class="card">
<h1>服务暂不可用</h1>
<p>房源信息暂时无法查询，请稍后再试。</p>
</section>`,
  )
