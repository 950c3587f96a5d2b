/**
 * The deposit counter on the command line, for batch and offline use (M29/M31/M42): `anju fund deposit`
 * (a deposit receipted by a bill, posted by A1 in the same transaction), `anju fund account` (a
 * household's balance, deposits and notices), `anju fund bills stock|issue` (入库, 领用). The operator acts
 * as `cli:<user>` with the city scope; bills used at the CLI are issued to that name. Exit 0 done,
 * 1 refused (with the rule), 2 usage errors.
 */
import { Cause, type Effect, Exit, Layer, ManagedRuntime, Option } from "effect"
import { Flag } from "effect/cli"
import {
  billStep,
  householdAccount,
  recordDeposit,
  stockBills,
} from "../../../application/fund/DepositDesk.js"
import type { FundRegistry } from "../../../application/ports/FundRegistry.js"
import type { Ledger } from "../../../application/ports/Ledger.js"
import { type Actor, PERMISSIONS } from "../../../domain/access/Access.js"
import { supplementaryReasons } from "../../../domain/fund/Deposits.js"
import { parse as parseDate } from "../../../domain/values/CivilDate.js"
import { parseYuan, toYuanString } from "../../../domain/values/Money.js"
import { fundRegistryLayer } from "../../FundStores.js"
import { describeStorage } from "../../StoreSelection.js"
import {
  choice,
  optionalChoice,
  optionalText,
  storageFlags,
  storageOf,
  switchFlag,
  text,
  UsageError,
} from "../Args.js"
import { defineCommand } from "../CliCommand.js"
import type { CliIo } from "../Io.js"
import { orUsage } from "./FundInput.js"

const operator = (io: CliIo): Actor => ({
  role: "city",
  id: `cli:${io.env["USER"] ?? io.env["USERNAME"] ?? "operator"}`,
  permissions: PERMISSIONS,
})

/** Runs a use-case as the operator; expected refusals → 1 with their message and rule, defects → thrown. */
const runAs = async <A>(
  io: CliIo,
  storage: Parameters<typeof fundRegistryLayer>[0],
  f: (actor: Actor) => Effect.Effect<A, unknown, FundRegistry | Ledger>,
  print: (a: A) => string,
): Promise<number> => {
  const runtime = ManagedRuntime.make(fundRegistryLayer(storage).pipe(Layer.orDie))
  try {
    const exit = await runtime.runPromiseExit(f(operator(io)))
    if (Exit.isSuccess(exit)) {
      io.out(print(exit.value))
      return 0
    }
    const e = Cause.findErrorOption(exit.cause)
    if (Option.isNone(e)) throw new Error(Cause.pretty(exit.cause))
    const v = e.value as { message?: string; rule?: string; reason?: { rule?: string } }
    const rule = v.rule ?? v.reason?.rule
    io.err(
      `refused on ${describeStorage(storage)}: ${v.message ?? String(e.value)}${rule === undefined ? "" : ` [${rule}]`}`,
    )
    return 1
  } finally {
    await runtime.dispose()
  }
}

export const fundDeposit = defineCommand({
  words: ["fund", "deposit"],
  description:
    "record a deposit (交存, M29) receipted by a bill (M31/M42), posted by A1 in the same transaction",
  examples: [
    {
      command: "anju fund deposit --id D-1 --household H-1 --kind first --amount 8055.00 --bill PJ00000001",
      description: "a first deposit of ¥8,055.00 with bill PJ00000001 issued to cli:<user>",
    },
  ],
  config: {
    id: text("id", "ID", "client-chosen deposit id (a replay returns the stored record)"),
    household: text("household", "ID", "the household (分户)"),
    kind: choice(
      "kind",
      ["first", "continued", "retro", "reraise", "transfer-in", "supplementary"],
      "deposit kind (M29)",
    ),
    reason: optionalChoice(
      "reason",
      supplementaryReasons,
      "reason category of a supplementary payment (M38)",
    ),
    amount: optionalText("amount", "YUAN", "amount in yuan (default: the notice's)"),
    notice: optionalText("notice", "ID", "the payment notice this deposit settles"),
    bill: optionalText("bill", "NUMBER", "the bill (票据) that receipts it"),
    date: optionalText("date", "YYYY-MM-DD", "deposit date (default: today, Asia/Shanghai)"),
    json: switchFlag("json", "print JSON"),
    storage: storageFlags,
  },
  run: async (input, io) => {
    const amount = input.amount === undefined ? undefined : orUsage("--amount", parseYuan(input.amount))
    const date = input.date === undefined ? undefined : orUsage("--date", parseDate(input.date, "date"))
    if ((input.kind === "supplementary") !== (input.reason !== undefined))
      throw new UsageError(
        "--reason is required for a supplementary deposit and only for it [M38.reason-category]",
      )
    return runAs(
      io,
      storageOf(input.storage, io.env),
      (actor) =>
        recordDeposit(actor, {
          id: input.id,
          household: input.household,
          kind: input.kind,
          ...(input.reason === undefined ? {} : { reason: input.reason }),
          ...(amount === undefined ? {} : { amount }),
          ...(date === undefined ? {} : { date }),
          ...(input.bill === undefined ? {} : { billNo: input.bill }),
          ...(input.notice === undefined ? {} : { noticeId: input.notice }),
        }),
      (d) =>
        input.json
          ? JSON.stringify(d, null, 2)
          : `deposit ${d.id}: ${d.household} ¥${toYuanString(d.amount)} (${d.kind}) bill ${d.billNo ?? "-"} entry ${d.entryId}`,
    )
  },
})

export const fundAccount = defineCommand({
  words: ["fund", "account"],
  description: "a household's account (分户账): balance, deposits with their bills, notices",
  examples: [{ command: "anju fund account --household H-1 --json", description: "as JSON" }],
  config: {
    household: text("household", "ID", "the household"),
    json: switchFlag("json", "print JSON"),
    storage: storageFlags,
  },
  run: async (input, io) =>
    runAs(
      io,
      storageOf(input.storage, io.env),
      (actor) => householdAccount(actor, input.household),
      (a) =>
        input.json
          ? JSON.stringify(a, null, 2)
          : [
              `household ${a.household} (area ${a.areaId}, ${a.stage}, ${a.status})`,
              `balance: principal ¥${toYuanString(a.balance.principal)}, income ¥${toYuanString(a.balance.income)}`,
              ...a.deposits.map(
                (d) =>
                  `  ${d.date} ${d.direction.padEnd(8)} ¥${toYuanString(d.amount).padStart(12)} ${d.kind} bill ${d.billNo ?? "-"}`,
              ),
              ...a.notices.map(
                (n) => `  notice ${n.id} ¥${toYuanString(n.amount)} due ${n.dueOn} ${n.status}`,
              ),
            ].join("\n"),
    ),
})

export const fundBillsStock = defineCommand({
  words: ["fund", "bills", "stock"],
  description:
    "stock in a printed range of bills (票据入库, M42); a number stocked before fails the whole batch",
  examples: [
    {
      command: "anju fund bills stock --batch PJ-2026 --prefix PJ --first 1 --count 500",
      description: "PJ00000001..PJ00000500",
    },
  ],
  config: {
    batch: text("batch", "ID", "stock-in batch"),
    prefix: text("prefix", "TEXT", "printed prefix"),
    first: Flag.Int("first").pipe(Flag.withDescription("first serial")),
    count: Flag.Int("count").pipe(Flag.withDescription("how many (1..10000)")),
    storage: storageFlags,
  },
  run: async (input, io) =>
    runAs(
      io,
      storageOf(input.storage, io.env),
      (actor) => stockBills(actor, input),
      (ns) => `${ns.length} bills stocked: ${ns[0]} … ${ns.at(-1)}`,
    ),
})

export const fundBillsIssue = defineCommand({
  words: ["fund", "bills", "issue"],
  description: "issue bills to a staff member (票据领用, M42)",
  examples: [
    {
      command: "anju fund bills issue --staff cli:clerk --numbers PJ00000001,PJ00000002",
      description: "two bills to cli:clerk",
    },
  ],
  config: {
    staff: text("staff", "ID", "the staff member's identity id"),
    numbers: text("numbers", "N1,N2,…", "comma-separated bill numbers"),
    storage: storageFlags,
  },
  run: async (input, io) => {
    const numbers = input.numbers
      .split(",")
      .map((n) => n.trim())
      .filter((n) => n !== "")
    if (numbers.length === 0) throw new UsageError("name the bill numbers to issue")
    return runAs(
      io,
      storageOf(input.storage, io.env),
      (actor) => billStep(actor, { step: "issue", numbers, staff: input.staff }),
      (bs) => `${bs.length} bills issued to ${input.staff}`,
    )
  },
})

export const FUND_DEPOSIT_COMMANDS = [fundDeposit, fundAccount, fundBillsStock, fundBillsIssue] as const
