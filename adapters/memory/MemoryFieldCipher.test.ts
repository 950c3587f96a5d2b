// MemoryFieldCipher runs the FieldCipher contract; it seals deterministically on purpose (identical replay rows).
import { suite } from "../../contracts-tests/FieldCipher.contract.js"
import { layer } from "./MemoryFieldCipher.js"

suite("memory", layer(), { randomisedSeal: false })
