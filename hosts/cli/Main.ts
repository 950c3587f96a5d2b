/**
 * The `anju` command line: finds the command by its leading words and runs it. Exit codes: 0 success,
 * 1 a negative answer (invalid ID, rejected rows, failed verification), 2 usage errors.
 */
import { UsageError } from "./Args.js"
import { eligibilityEvaluate } from "./commands/Eligibility.js"
import { fundApportion } from "./commands/FundApportion.js"
import { fundReportCommand } from "./commands/FundReport.js"
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
import { stockImport } from "./commands/StockImport.js"
import { subsidyLianzu } from "./commands/SubsidyLianzu.js"
import type { CliIo, Command } from "./Io.js"

export const COMMANDS: ReadonlyArray<Command> = [
  serve,
  stockImport,
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
]

export const VERSION = "0.1.0"

const help = () =>
  ["usage: anju <command> [options]", "", ...COMMANDS.map((c) => `  anju ${c.usage}`)].join("\n")

export const main = async (argv: ReadonlyArray<string>, io: CliIo): Promise<number> => {
  if (argv.length === 0 || argv[0] === "help" || argv[0] === "--help" || argv[0] === "-h") {
    io.out(help())
    return argv.length === 0 ? 2 : 0
  }
  if (argv[0] === "--version") {
    io.out(`anju ${VERSION} (node ${process.versions.node})`)
    return 0
  }
  const command = [...COMMANDS]
    .sort((a, b) => b.words.length - a.words.length)
    .find((c) => c.words.every((w, i) => argv[i] === w))
  if (command === undefined) {
    io.err(`anju: unknown command '${argv.slice(0, 2).join(" ")}'\n\n${help()}`)
    return 2
  }
  try {
    return await command.run(argv.slice(command.words.length), io)
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`anju ${command.words.join(" ")}: ${e.message}\nusage: anju ${command.usage}`)
      return 2
    }
    throw e
  }
}
