import { suite } from "../../contracts-tests/AuditLog.contract.js"
import { layer } from "./MemoryAuditLog.js"

suite("memory", layer)
