/**
 * The `anju` command line on Effect's CLI module: the registry of commands, the tree built from their
 * words (group words such as `lottery` list their subcommands), and `main`, which returns the exit code:
 * 0 success, 1 a negative answer (invalid ID, rejected rows, failed verification), 2 bad usage or input.
 * `anju --help`, `anju <group> --help`, `anju <command> --help`, `anju --version`, `anju --completions bash|zsh|fish`.
 */
import { Command as EffectCommand } from "effect/cli"
import { runCommand, VERSION } from "./CliCommand.js"
import { eligibilityEvaluate } from "./commands/Eligibility.js"
import { fundApportion } from "./commands/FundApportion.js"
import { fundReportCommand } from "./commands/FundReport.js"
import { FUND_DEPOSIT_COMMANDS } from "./commands/FundDeposits.js"
import { fundVote } from "./commands/FundVote.js"
import { gongyouQuote } from "./commands/GongyouQuote.js"
import { guardCheck } from "./commands/GuardCheck.js"
import { idCheck, usccCheck } from "./commands/IdCheck.js"
import { ledgerVerify } from "./commands/LedgerVerify.js"
import { lotteryAnnul } from "./commands/LotteryAnnul.js"
import { lotteryCommit } from "./commands/LotteryCommit.js"
import { lotteryDraw } from "./commands/LotteryDraw.js"
import { lotteryCheckProof, lotteryProof } from "./commands/LotteryProof.js"
import { lotteryVerify } from "./commands/LotteryVerify.js"
import { queueRank, queueSimulate } from "./commands/QueueCommands.js"
import { replay } from "./commands/Replay.js"
import { SELECTION_COMMANDS } from "./commands/SelectionCommands.js"
import { serve } from "./commands/Serve.js"
import { agencySim } from "./commands/AgencySim.js"
import { ACCESS_COMMANDS, ACCESS_GROUPS } from "./commands/AccessCommands.js"
import { KEYS_COMMANDS } from "./commands/KeysCommands.js"
import { CONTRACT_DOCUMENT_COMMANDS } from "./commands/ContractDocuments.js"
import { stockImport } from "./commands/StockImport.js"
import { demoCity } from "./commands/DemoCity.js"
import { subsidyLianzu } from "./commands/SubsidyLianzu.js"
import { worker } from "./commands/Worker.js"
import { FEED_COMMANDS } from "./commands/FeedCommands.js"
import type { CliIo, Command } from "./Io.js"

export { VERSION }

/**
 * Every command. To add one: write `hosts/cli/commands/<Name>.ts` exporting
 * `defineCommand({ words: ["users", "add"], description, examples, config: { …flags }, run: async (input, io) => exitCode })`
 * (see CliCommand.ts; flags from Args.ts or `effect/cli`'s Flag/Argument), then add it to this list.
 * A new first word becomes a group by itself; give it a line in GROUPS. Help, completion, the
 * `--help` test over the whole tree and exit codes come with it.
 */
export const COMMANDS: ReadonlyArray<Command> = [
  serve,
  agencySim,
  stockImport,
  demoCity,
  idCheck,
  usccCheck,
  eligibilityEvaluate,
  guardCheck,
  subsidyLianzu,
  gongyouQuote,
  replay,
  fundApportion,
  fundVote,
  fundReportCommand,
  ...FUND_DEPOSIT_COMMANDS,
  ledgerVerify,
  lotteryCommit,
  lotteryDraw,
  lotteryVerify,
  lotteryProof,
  lotteryCheckProof,
  lotteryAnnul,
  queueRank,
  queueSimulate,
  ...SELECTION_COMMANDS,
  ...ACCESS_COMMANDS,
  ...KEYS_COMMANDS,
  ...CONTRACT_DOCUMENT_COMMANDS,
  worker,
  ...FEED_COMMANDS,
]

/** One line per group word, shown in `anju --help` and at the top of `anju <group> --help`. */
export const GROUPS: Readonly<Record<string, string>> = {
  stock: "housing stock: bulk import with a per-row report (R132)",
  demo: "synthetic data for benchmarks and load tests (issue 16): a city's housing stock",
  id: "resident ID numbers (GB 11643-1999)",
  uscc: "unified social credit codes (GB 32100-2015)",
  eligibility: "eligibility (准入) with its trace",
  guard: "the fairness guard (公平卫士, R1–R25)",
  subsidy: "rent subsidies (廉租, R118–R123)",
  gongyou: "shared-ownership (共有产权) buy-out quotes (R125)",
  fund: "the maintenance fund (维修资金): apportionment, owner votes, reports, deposits, bills",
  bills: "fund bills (票据, M42): stock-in and issue to staff",
  ledger: "the fund journal's SM3 hash chain (M109)",
  lottery: "the verifiable lottery (摇号, R53/R55): commit, draw, verify, proofs, annul",
  queue: "the waiting queue (轮候, R45–R50): rank and simulate",
  selection: "a house-selection session (选房, R54) in one state file",
  feed: "the regulator feed (监管报送, M116–M134): signed batches, verify, import, theme metrics",
  ca: "a local seal CA (SM2 root and seal certificates) for demos and tests",
  contract: "lease contracts (网签备案, R89–R107): sealed PDF documents and their offline verification",
  keys: "key management of personal data (KMS): rotate, re-wrap, status",
  ...ACCESS_GROUPS,
}

interface Node {
  readonly children: Map<string, Node>
  command?: Command
}

const treeOf = (commands: ReadonlyArray<Command>): Node => {
  const root: Node = { children: new Map() }
  for (const c of commands) {
    let node = root
    for (const w of c.words) {
      let next = node.children.get(w)
      if (next === undefined) {
        next = { children: new Map() }
        node.children.set(w, next)
      }
      node = next
    }
    if (node.command !== undefined) throw new Error(`anju ${c.words.join(" ")} is registered twice`)
    node.command = c
  }
  return root
}

const examplesUnder = (node: Node): Array<EffectCommand.Command.Example> => [
  ...(node.command?.examples.slice(0, 1) ?? []),
  ...[...node.children.values()].flatMap(examplesUnder),
]

type Cli = Command["cli"]

const build = (name: string, node: Node, path: ReadonlyArray<string>): Cli => {
  if (node.children.size === 0) return node.command!.cli
  if (node.command !== undefined)
    throw new Error(`anju ${path.join(" ")} is both a command and a group; give the command its own word`)
  const subcommands = [...node.children].map(([w, child]) => build(w, child, [...path, w]))
  const described =
    path.length === 0 ? "Anju (安居): housing security and the maintenance fund" : GROUPS[name]
  return EffectCommand.make(name).pipe(
    EffectCommand.withDescription(described ?? `anju ${path.join(" ")} …`),
    EffectCommand.withExamples(examplesUnder(node).slice(0, 3)),
    EffectCommand.withSubcommands(subcommands as [Cli, ...Array<Cli>]),
  ) as unknown as Cli
}

/** The whole tree, named `anju`. */
export const commandTree = (commands: ReadonlyArray<Command> = COMMANDS): Cli =>
  build("anju", treeOf(commands), [])

/** Every path in the tree, groups included: `[]`, `["lottery"]`, `["lottery", "draw"]`, … */
export const commandPaths = (commands: ReadonlyArray<Command> = COMMANDS): Array<ReadonlyArray<string>> => {
  const out: Array<ReadonlyArray<string>> = []
  const walk = (node: Node, path: ReadonlyArray<string>) => {
    out.push(path)
    for (const [w, child] of node.children) walk(child, [...path, w])
  }
  walk(treeOf(commands), [])
  return out
}

let tree: Cli | undefined

export const main = async (argv: ReadonlyArray<string>, io: CliIo): Promise<number> => {
  tree ??= commandTree()
  // `anju help [words…]` is `anju [words…] --help`, as before the move to effect/cli.
  const args = argv[0] === "help" ? [...argv.slice(1), "--help"] : argv
  return runCommand(tree, args, io, [])
}
