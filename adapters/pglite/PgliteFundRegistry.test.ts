import { suite } from "../../contracts-tests/FundRegistry.contract.js"
import { layer } from "./PgliteFundRegistry.js"

suite("pglite", layer())
