/**
 * Document templates as data (文书模板): one entry per document kind with its title, headings, label
 * rows and standard clauses, `{slot}` placeholders filled from typed facts. The typed builders format
 * values once (fen as yuan, areas in m², civil dates as 年月日) so no renderer formats money or dates;
 * a slot a template names but the facts lack is an `InvalidValue` naming the slot, never blank text.
 */
import { Result } from "effect"
import type { CivilDate } from "../values/CivilDate.js"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"
import { type Money, toYuanString } from "../values/Money.js"
import type { Block, DocumentKind, DocumentLayout, DocumentNumber } from "./Document.js"

export type TemplateSection =
  | { readonly heading: string }
  | { readonly text: string }
  | { readonly fields: ReadonlyArray<readonly [label: string, value: string]> }
  /** Numbered clauses: the template's own, then the list slot's items (e.g. approved supplements, R94). */
  | { readonly clauses: ReadonlyArray<string>; readonly more?: string }
  | { readonly qr: string; readonly caption: string }
  | {
      readonly seals: ReadonlyArray<{ readonly role: string; readonly label: string; readonly name: string }>
    }

export interface Template {
  readonly title: string
  readonly sections: ReadonlyArray<TemplateSection>
}

export const TEMPLATES: Readonly<Record<DocumentKind, Template>> = {
  "lease-contract": {
    title: "{kindName}租赁合同",
    sections: [
      { text: "合同编号：{number}　　签订日期：{issuedOn}" },
      { heading: "一、合同当事人" },
      {
        fields: [
          ["出租人（甲方）", "{lessorName}"],
          ["统一社会信用代码", "{lessorUscc}"],
          ["承租人（乙方）", "{tenantName}"],
          ["证件号码", "{tenantId}"],
        ],
      },
      { heading: "二、房屋" },
      {
        fields: [
          ["房屋坐落", "{unitAddress}"],
          ["房源编码（一房一码）", "{unitCode}"],
          ["户型", "{unitLayout}"],
          ["建筑面积", "{unitArea} 平方米"],
        ],
      },
      { qr: "{unitPath}", caption: "房源码 {unitCode}" },
      { heading: "三、租金、押金与租期" },
      {
        fields: [
          ["月租金", "人民币 {rent} 元"],
          ["押金", "人民币 {deposit} 元"],
          ["租赁期限", "{termStart} 至 {termEnd}"],
        ],
      },
      { heading: "四、合同条款" },
      {
        clauses: [
          "乙方应按月于每月十日前支付当月租金，逾期未付的，甲方可按合同约定催缴。",
          "乙方应合理使用房屋及其附属设施，不得擅自改变房屋结构和用途，不得转租、转借。",
          "租赁期内乙方不再符合保障条件的，应按规定退出或调整租金。",
          "租赁期满需续租的，乙方应在期满前三个月提出申请，经审核仍符合条件的方可续签。",
          "本合同经甲方盖章、乙方签章后生效，并依规办理网签备案；电子签章与手写签字盖章具有同等效力。",
        ],
        more: "supplements",
      },
      {
        seals: [
          { role: "lessor", label: "甲方（盖章）", name: "{lessorName}" },
          { role: "tenant", label: "乙方（签章）", name: "{tenantName}" },
        ],
      },
    ],
  },
  "registration-notice": {
    title: "住房租赁合同网签备案通知",
    sections: [
      { text: "{tenantName}：" },
      {
        text: "你与{lessorName}签订的租赁合同（合同编号 {contractNumber}）已于 {registeredOn} 完成网签备案，备案编号 {registrationNumber}。",
      },
      {
        fields: [
          ["房屋坐落", "{unitAddress}"],
          ["房源编码", "{unitCode}"],
          ["租赁期限", "{termStart} 至 {termEnd}"],
        ],
      },
      { seals: [{ role: "centre", label: "备案机构（盖章）", name: "{issuer}" }] },
    ],
  },
  "qualification-certificate": {
    title: "住房保障资格确认书",
    sections: [
      { text: "经审核，下列申请家庭符合{kindName}保障条件，特此确认。" },
      {
        fields: [
          ["申请人", "{applicantName}"],
          ["证件号码", "{applicantId}"],
          ["家庭人数", "{householdSize} 人"],
          ["案件编号", "{caseId}"],
          ["资格有效期至", "{validUntil}"],
        ],
      },
      { seals: [{ role: "centre", label: "审核机构（盖章）", name: "{issuer}" }] },
    ],
  },
  "selection-confirmation": {
    title: "选房确认书",
    sections: [
      { text: "{applicantName}于 {selectedOn} 在{projectName}选定下列房屋，特此确认。" },
      {
        fields: [
          ["摇号顺序号", "{drawPosition}"],
          ["房屋坐落", "{unitAddress}"],
          ["房源编码", "{unitCode}"],
          ["建筑面积", "{unitArea} 平方米"],
        ],
      },
      { qr: "{unitPath}", caption: "房源码 {unitCode}" },
      { text: "请于选房之日起三十日内签订租赁合同，逾期视为放弃。" },
      { seals: [{ role: "lessor", label: "运营机构（盖章）", name: "{issuer}" }] },
    ],
  },
  "waiting-number-certificate": {
    title: "轮候序号证明",
    sections: [
      { text: "兹证明{applicantName}（案件编号 {caseId}）已进入{queueName}轮候，轮候序号如下。" },
      {
        fields: [
          ["轮候序号", "{waitingNumber}"],
          ["入列日期", "{enteredOn}"],
        ],
      },
      { text: "轮候序号依规则排定，可能随轮候名单变动而调整，以平台公示为准。" },
      { seals: [{ role: "centre", label: "出具机构（盖章）", name: "{issuer}" }] },
    ],
  },
  "fund-deposit-notice": {
    title: "住宅专项维修资金交存通知",
    sections: [
      { text: "{ownerName}：" },
      { text: "你购买的房屋应交存住宅专项维修资金，请于 {dueOn} 前存入下列专户。" },
      {
        fields: [
          ["房屋坐落", "{unitAddress}"],
          ["建筑面积", "{unitArea} 平方米"],
          ["应交金额", "人民币 {amount} 元"],
          ["专户银行", "{bankName}"],
          ["专户账号", "{bankAccount}"],
        ],
      },
      { seals: [{ role: "centre", label: "维修资金管理机构（盖章）", name: "{issuer}" }] },
    ],
  },
}

export interface Facts {
  readonly text: Readonly<Record<string, string>>
  readonly lists?: Readonly<Record<string, ReadonlyArray<string>>>
}

const SLOT = /\{([A-Za-z]+)\}/gu

const fillText = (template: string, text: Readonly<Record<string, string>>, missing: Array<string>): string =>
  template.replace(SLOT, (_, slot: string) => {
    const v = text[slot]
    if (v === undefined) missing.push(slot)
    return v ?? ""
  })

/** `2026-12-04` → `2026年12月04日`. */
export const chineseDate = (d: CivilDate): string => `${d.slice(0, 4)}年${d.slice(5, 7)}月${d.slice(8, 10)}日`

/** Fen as yuan with two decimals (`185000` → `1850.00`). */
export const yuan = (m: Money): string => toYuanString(m)

/** Hundredths of m² as m² with two decimals (`6235` → `62.35`). */
export const squareMetres = (hundredths: number): string =>
  `${Math.trunc(hundredths / 100)}.${String(hundredths % 100).padStart(2, "0")}`

/** Fills `kind`'s template; fails naming the first slot the facts lack (`slots.<name>`). */
export const fill = (
  kind: DocumentKind,
  head: { readonly number: DocumentNumber; readonly issuer: string; readonly issuedOn: CivilDate },
  facts: Facts,
): Result.Result<DocumentLayout, InvalidValue> => {
  const t = TEMPLATES[kind]
  const text = {
    ...facts.text,
    number: head.number,
    issuer: head.issuer,
    issuedOn: chineseDate(head.issuedOn),
  }
  const missing: Array<string> = []
  const f = (s: string) => fillText(s, text, missing)
  const blocks: Array<Block> = t.sections.map((s): Block => {
    if ("heading" in s) return { _tag: "Heading", text: f(s.heading) }
    if ("text" in s) return { _tag: "Paragraph", text: f(s.text) }
    if ("fields" in s) return { _tag: "Fields", rows: s.fields.map(([l, v]) => [f(l), f(v)] as const) }
    if ("clauses" in s) {
      const more = s.more === undefined ? [] : (facts.lists?.[s.more] ?? [])
      return { _tag: "Clauses", items: [...s.clauses.map(f), ...more] }
    }
    if ("qr" in s) return { _tag: "Qr", path: f(s.qr), caption: f(s.caption) }
    return {
      _tag: "Seals",
      places: s.seals.map((p) => ({ role: p.role, label: f(p.label), name: f(p.name) })),
    }
  })
  const title = f(t.title)
  if (missing.length > 0)
    return Result.fail(
      invalid(`slots.${missing[0]}`, "document-template", kind, `the ${kind} template needs ${missing[0]}`),
    )
  return Result.succeed({
    kind,
    number: head.number,
    title,
    issuer: head.issuer,
    issuedOn: head.issuedOn,
    blocks,
  })
}

/** What a lease contract shows (R89–R94); the contract's own state lives in domain/contract. */
export interface LeaseContractFacts {
  readonly number: DocumentNumber
  readonly issuedOn: CivilDate
  /** 保障性租赁住房, 公共租赁住房, … */
  readonly kindName: string
  readonly lessor: { readonly name: string; readonly uscc: string }
  readonly tenant: { readonly name: string; readonly idNumber: string }
  readonly unit: {
    readonly code: string
    readonly address: string
    readonly layout: string
    /** Hundredths of m². */
    readonly area: number
  }
  readonly rent: Money
  readonly deposit: Money
  readonly term: { readonly start: CivilDate; readonly end: CivilDate }
  /** Approved supplementary clauses (R94), printed after the standard ones. */
  readonly supplements?: ReadonlyArray<string>
}

/** The lease contract (租赁合同), sealed by the lessor first and the tenant second (R89/R90). */
export const leaseContract = (c: LeaseContractFacts): Result.Result<DocumentLayout, InvalidValue> =>
  fill(
    "lease-contract",
    { number: c.number, issuer: c.lessor.name, issuedOn: c.issuedOn },
    {
      text: {
        kindName: c.kindName,
        lessorName: c.lessor.name,
        lessorUscc: c.lessor.uscc,
        tenantName: c.tenant.name,
        tenantId: c.tenant.idNumber,
        unitAddress: c.unit.address,
        unitCode: c.unit.code,
        unitPath: `/u/${c.unit.code}`,
        unitLayout: c.unit.layout,
        unitArea: squareMetres(c.unit.area),
        rent: yuan(c.rent),
        deposit: yuan(c.deposit),
        termStart: chineseDate(c.term.start),
        termEnd: chineseDate(c.term.end),
      },
      lists: { supplements: c.supplements ?? [] },
    },
  )
