import { suite } from "../../contracts-tests/LotteryStore.contract.js"
import { layer } from "./MemoryLotteryStore.js"

suite("memory", layer)
