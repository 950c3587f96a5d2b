/**
 * Chart of accounts (会计科目表) of the maintenance fund, catalog §2.2 (codes are the catalog's proposals).
 * Two books are kept apart (§2.1 principle 2): commodity housing (商品住宅, fund account 3001) and sold
 * public housing (已售公有住房, fund account 3002); every other account exists in both. 1001 bank deposits
 * is a summary of its postable children 100101 demand and 100102 term. Normal side follows the type:
 * assets and expenditure debit; liabilities, net assets and income credit.
 */
import { Option } from "effect"

/** A set of books (账套): `commodity` = 商品住宅维修资金, `public` = 已售公有住房维修资金. */
export type Book = "commodity" | "public"
export const books: ReadonlyArray<Book> = ["commodity", "public"]

export type AccountType = "asset" | "liability" | "net-asset" | "income" | "expense"
export type Side = "debit" | "credit"

export const accountCodes = [
  "1001",
  "100101",
  "100102",
  "1101",
  "1201",
  "2001",
  "2101",
  "3001",
  "3002",
  "3101",
  "4001",
  "4101",
  "4102",
  "4201",
  "4301",
  "4901",
  "5001",
  "5101",
  "5901",
] as const
export type AccountCode = (typeof accountCodes)[number]

export interface Account {
  readonly code: AccountCode
  readonly name: string
  readonly label: string
  readonly type: AccountType
  readonly normalSide: Side
  /** Summary accounts (1001) take no postings; their balance is the sum of their children. */
  readonly postable: boolean
  readonly parent?: AccountCode
  /** Books the account exists in. */
  readonly books: ReadonlyArray<Book>
  /**
   * Whether lines may carry a household sub-account (分户账): only net-asset, income and expense
   * accounts, whose balances are owned by households or pending allocation to them.
   */
  readonly householdDetail: boolean
}

const normal = (t: AccountType): Side => (t === "asset" || t === "expense" ? "debit" : "credit")

const acc = (
  code: AccountCode,
  name: string,
  label: string,
  type: AccountType,
  extra: { postable?: boolean; parent?: AccountCode; books?: ReadonlyArray<Book> } = {},
): Account => ({
  code,
  name,
  label,
  type,
  normalSide: normal(type),
  postable: extra.postable ?? true,
  ...(extra.parent === undefined ? {} : { parent: extra.parent }),
  books: extra.books ?? books,
  householdDetail: type === "net-asset" || type === "income" || type === "expense",
})

export const accounts: ReadonlyArray<Account> = [
  acc("1001", "银行存款", "Bank deposits", "asset", { postable: false }),
  acc("100101", "银行存款-活期", "Bank deposits: demand", "asset", { parent: "1001" }),
  acc("100102", "银行存款-定期", "Bank deposits: term", "asset", { parent: "1001" }),
  acc("1101", "国债投资", "Treasury-bond investment", "asset"),
  acc("1201", "其他应收款", "Other receivables", "asset"),
  acc("2001", "应付返还资金", "Refunds payable", "liability"),
  acc("2101", "其他应付款", "Suspense and other payables", "liability"),
  acc("3001", "商品住宅维修资金", "Commodity-housing maintenance fund", "net-asset", {
    books: ["commodity"],
  }),
  acc("3002", "已售公有住房维修资金", "Sold-public-housing maintenance fund", "net-asset", {
    books: ["public"],
  }),
  acc("3101", "待分配收益", "Income pending allocation", "net-asset"),
  acc("4001", "交存收入", "Deposit income", "income"),
  acc("4101", "利息收入", "Deposit interest income", "income"),
  acc("4102", "国债利息收入", "Bond income", "income"),
  acc("4201", "经营收益转入", "Operating income transferred in", "income"),
  acc("4301", "残值收入", "Scrap-value income", "income"),
  acc("4901", "其他收入", "Other income", "income"),
  acc("5001", "维修支出", "Maintenance and renewal expenditure", "expense"),
  acc("5101", "返还支出", "Refund expenditure", "expense"),
  acc("5901", "其他支出", "Other expenditure", "expense"),
]

const byCode: ReadonlyMap<string, Account> = new Map(accounts.map((a) => [a.code, a]))

export const isAccountCode = (s: string): s is AccountCode => byCode.has(s)

export const findAccount = (code: string): Option.Option<Account> => Option.fromNullishOr(byCode.get(code))

/** The account for a code known at compile time. */
export const account = (code: AccountCode): Account => byCode.get(code)!

/** The household fund account of a book: 3001 for commodity housing, 3002 for sold public housing. */
export const fundAccount = (book: Book): "3001" | "3002" => (book === "commodity" ? "3001" : "3002")

/** Whether `code` may be posted to in `book`. */
export const isPostableIn = (code: AccountCode, book: Book): boolean => {
  const a = account(code)
  return a.postable && a.books.includes(book)
}

/** Accounts of a book in code order (summary accounts included). */
export const accountsOf = (book: Book): ReadonlyArray<Account> =>
  accounts.filter((a) => a.books.includes(book))
