import { suite } from "../../contracts-tests/LotteryStore.contract.js"
import { layer } from "./PgliteLotteryStore.js"

suite("pglite", layer())
