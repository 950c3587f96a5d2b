/**
 * Printed documents (文书): the kinds the platform issues, their numbers and the laid-out content a
 * renderer turns into a PDF. A document is a title plus blocks (headings, paragraphs, label/value rows,
 * numbered clauses, QR codes, seal places); layout, fonts and paper are the renderer's. Every document
 * carries a unique number and the public path `/documents/{number}` its verification QR opens (issue 13).
 */
import { Result } from "effect"
import type { CivilDate } from "../values/CivilDate.js"
import { type InvalidValue, invalid } from "../values/InvalidValue.js"

/** The documents issued: 租赁合同, 备案通知, 资格确认书, 选房确认书, 轮候序号证明, 维修资金交存通知. */
export const DOCUMENT_KINDS = [
  "lease-contract",
  "registration-notice",
  "qualification-certificate",
  "selection-confirmation",
  "waiting-number-certificate",
  "fund-deposit-notice",
] as const
export type DocumentKind = (typeof DOCUMENT_KINDS)[number]

/** Number prefix per kind: the first letters of the Chinese name in pinyin. */
export const NUMBER_PREFIX: Readonly<Record<DocumentKind, string>> = {
  "lease-contract": "HT",
  "registration-notice": "BA",
  "qualification-certificate": "ZG",
  "selection-confirmation": "XF",
  "waiting-number-certificate": "LH",
  "fund-deposit-notice": "WX",
}

/** `HT-20261204-000123`: prefix, issue date, serial of the day (6 digits). */
export type DocumentNumber = string & { readonly DocumentNumber: unique symbol }
const NUMBER = /^(HT|BA|ZG|XF|LH|WX)-\d{8}-\d{6}$/u

export const parseDocumentNumber = (
  text: string,
  field = "number",
): Result.Result<DocumentNumber, InvalidValue> =>
  NUMBER.test(text)
    ? Result.succeed(text as DocumentNumber)
    : Result.fail(invalid(field, "document-number", text, `${field} must look like HT-20261204-000123`))

/** The number of the `serial`-th document of `kind` issued on `issuedOn` (serial 1–999999, from a sequence). */
export const makeDocumentNumber = (
  kind: DocumentKind,
  issuedOn: CivilDate,
  serial: number,
): Result.Result<DocumentNumber, InvalidValue> =>
  Number.isInteger(serial) && serial >= 1 && serial <= 999_999
    ? Result.succeed(
        `${NUMBER_PREFIX[kind]}-${issuedOn.replaceAll("-", "")}-${String(serial).padStart(6, "0")}` as DocumentNumber,
      )
    : Result.fail(invalid("serial", "document-number", serial, "serial must be 1–999999"))

/** The public verification page of a document (issuer, kind, date, valid or revoked; no personal data). */
export const verificationPath = (n: DocumentNumber): string => `/documents/${n}`

/** Where a seal goes: `role` names the PDF signature field the sealer fills (lessor first, tenant second). */
export interface SealPlace {
  readonly role: string
  readonly label: string
  readonly name: string
}

export type Block =
  | { readonly _tag: "Heading"; readonly text: string }
  | { readonly _tag: "Paragraph"; readonly text: string }
  | { readonly _tag: "Fields"; readonly rows: ReadonlyArray<readonly [label: string, value: string]> }
  | { readonly _tag: "Clauses"; readonly items: ReadonlyArray<string> }
  /** A QR code of `path` (relative to the public base URL, e.g. the unit's 一房一码 page `/u/{code}`). */
  | { readonly _tag: "Qr"; readonly path: string; readonly caption: string }
  | { readonly _tag: "Seals"; readonly places: ReadonlyArray<SealPlace> }

/** A document ready for a renderer: everything printed is here, already formatted as text. */
export interface DocumentLayout {
  readonly kind: DocumentKind
  readonly number: DocumentNumber
  readonly title: string
  /** The issuing body, printed in the page header. */
  readonly issuer: string
  readonly issuedOn: CivilDate
  readonly blocks: ReadonlyArray<Block>
}
