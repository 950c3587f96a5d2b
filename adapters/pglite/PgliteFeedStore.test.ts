import { suite } from "../../contracts-tests/FeedStore.contract.js"
import { layer } from "./PgliteFeedStore.js"

suite("pglite", layer())
