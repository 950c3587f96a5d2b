import { suite } from "../../contracts-tests/AuditLog.contract.js"
import { layer } from "./PgliteAuditLog.js"

suite("pglite", layer())
