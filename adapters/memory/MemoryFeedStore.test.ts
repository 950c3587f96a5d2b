import { suite } from "../../contracts-tests/FeedStore.contract.js"
import { layer } from "./MemoryFeedStore.js"

suite("memory", layer)
