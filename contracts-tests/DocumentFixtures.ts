/**
 * A lease-contract layout and laid-out documents of every other kind, for the DocumentRenderer and
 * Sealer contract suites and the PDF tests: fixed numbers, dates and facts, fictitious people.
 */
import { Result } from "effect"
import { type DocumentKind, type DocumentLayout, makeDocumentNumber } from "../domain/documents/Document.js"
import { fill, leaseContract } from "../domain/documents/Templates.js"
import type { CivilDate } from "../domain/values/CivilDate.js"
import type { Money } from "../domain/values/Money.js"

export const ISSUED_ON = "2026-12-04" as CivilDate
export const UNIT_CODE = "MH7K2Q9PX4DW"

export const LEASE: DocumentLayout = Result.getOrThrow(
  leaseContract({
    number: Result.getOrThrow(makeDocumentNumber("lease-contract", ISSUED_ON, 1)),
    issuedOn: ISSUED_ON,
    kindName: "保障性租赁住房",
    lessor: { name: "闵行区保障房运营有限公司", uscc: "91350100M000100Y43" },
    tenant: { name: "张三", idNumber: "310112********002X" },
    unit: {
      code: UNIT_CODE,
      address: "上海市闵行区华漕镇纪鹤公路88弄A座101室",
      layout: "2室1厅",
      area: 6235,
    },
    rent: 185000 as Money,
    deposit: 370000 as Money,
    term: { start: "2027-01-01" as CivilDate, end: "2029-12-31" as CivilDate },
    supplements: ["甲方提供空调两台，乙方应妥善使用。"],
  }),
)

const SLOTS: Readonly<Record<string, string>> = {
  tenantName: "张三",
  lessorName: "闵行区保障房运营有限公司",
  contractNumber: "HT-20261204-000001",
  registeredOn: "2026年12月04日",
  registrationNumber: "BA310112202612041530001",
  unitAddress: "上海市闵行区华漕镇纪鹤公路88弄A座101室",
  unitCode: UNIT_CODE,
  unitPath: `/u/${UNIT_CODE}`,
  unitArea: "62.35",
  termStart: "2027年01月01日",
  termEnd: "2029年12月31日",
  kindName: "公共租赁住房",
  applicantName: "李四",
  applicantId: "310115********1234",
  householdSize: "3",
  caseId: "CASE-2026-000123",
  validUntil: "2027年12月03日",
  selectedOn: "2026年12月04日",
  projectName: "华漕保租社区",
  drawPosition: "17",
  queueName: "闵行区公共租赁住房",
  waitingNumber: "000123",
  enteredOn: "2026年06月01日",
  ownerName: "王五",
  dueOn: "2026年12月31日",
  amount: "12470.00",
  bankName: "上海银行闵行支行",
  bankAccount: "31650300001234567",
}

/** One layout per kind other than the lease contract, filled from fixed slots. */
export const OTHER_DOCUMENTS: ReadonlyArray<DocumentLayout> = (
  [
    "registration-notice",
    "qualification-certificate",
    "selection-confirmation",
    "waiting-number-certificate",
    "fund-deposit-notice",
  ] as const satisfies ReadonlyArray<DocumentKind>
).map((kind, i) =>
  Result.getOrThrow(
    fill(
      kind,
      {
        number: Result.getOrThrow(makeDocumentNumber(kind, ISSUED_ON, i + 1)),
        issuer: "闵行区住房保障事务中心",
        issuedOn: ISSUED_ON,
      },
      { text: SLOTS },
    ),
  ),
)
