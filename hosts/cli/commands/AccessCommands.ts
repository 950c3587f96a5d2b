/**
 * `anju users|roles|api-keys …` and `anju audit verify|checkpoint`: identity administration and audit-log
 * verification on the configured store, for operators at the console (bootstrapping the first city
 * administrator; checking the log's SM3 chain and SM2 checkpoints). The logic is in IdentityCommands.ts
 * and AuditCommands.ts; this file only declares the commands and their flags. Passwords never come from
 * argv: `ANJU_NEW_PASSWORD` (or a prompt-free failure naming it).
 */
import { optionalText, storageFlags, storageOf, switchFlag, text } from "../Args.js"
import { defineCommand } from "../CliCommand.js"
import { auditCheckpoint, auditVerify } from "./AuditCommands.js"
import {
  apiKeysIssue,
  apiKeysList,
  apiKeysRevoke,
  rolesAdd,
  rolesList,
  usersAdd,
  usersDisable,
  usersEnable,
  usersGrant,
  usersList,
  usersPasswd,
} from "./IdentityCommands.js"

const list = (description: string) => text("roles", "R1,R2", description)
const split = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "")
const json = switchFlag("json", "print JSON")
const userId = text("id", "ID", "the user's id")

export const ACCESS_COMMANDS = [
  defineCommand({
    words: ["users", "add"],
    description: "create a user with a data scope and roles (password from ANJU_NEW_PASSWORD)",
    examples: [
      {
        command:
          "anju users add --id admin-1 --login admin --name 市级管理员 --scope city --roles city-admin",
        description: "bootstrap the first city administrator (password from ANJU_NEW_PASSWORD)",
      },
    ],
    config: {
      id: userId,
      login: text("login", "NAME", "login name (3–64 of a-z 0-9 . _ - @)"),
      name: text("name", "TEXT", "display name"),
      scope: text(
        "scope",
        "SCOPE",
        "city | district:310115 | operator:P1,P2 | propertyArea:A1 | household:H1 | applicant:<id number>",
      ),
      roles: list("comma-separated role names (anju roles list)"),
      storage: storageFlags,
    },
    run: (i, io) =>
      usersAdd(
        {
          storage: storageOf(i.storage, io.env),
          id: i.id,
          login: i.login,
          displayName: i.name,
          scope: i.scope,
          roles: split(i.roles),
        },
        io,
      ),
  }),
  defineCommand({
    words: ["users", "list"],
    description: "list the stored users",
    examples: [{ command: "anju users list --json", description: "as JSON" }],
    config: { json, storage: storageFlags },
    run: (i, io) => usersList({ storage: storageOf(i.storage, io.env), json: i.json }, io),
  }),
  defineCommand({
    words: ["users", "disable"],
    description: "disable a user: their sessions stop working at once",
    examples: [{ command: "anju users disable --id admin-1", description: "" }],
    config: { id: userId, storage: storageFlags },
    run: (i, io) => usersDisable({ storage: storageOf(i.storage, io.env), id: i.id }, io),
  }),
  defineCommand({
    words: ["users", "enable"],
    description: "enable a disabled or dormant user again",
    examples: [{ command: "anju users enable --id admin-1", description: "" }],
    config: { id: userId, storage: storageFlags },
    run: (i, io) => usersEnable({ storage: storageOf(i.storage, io.env), id: i.id }, io),
  }),
  defineCommand({
    words: ["users", "passwd"],
    description: "set a user's password from ANJU_NEW_PASSWORD; their sessions are revoked",
    examples: [
      { command: "anju users passwd --id admin-1", description: "the new password from ANJU_NEW_PASSWORD" },
    ],
    config: { id: userId, storage: storageFlags },
    run: (i, io) => usersPasswd({ storage: storageOf(i.storage, io.env), id: i.id }, io),
  }),
  defineCommand({
    words: ["users", "grant"],
    description: "replace a user's roles",
    examples: [{ command: "anju users grant --id u1 --roles district-officer,auditor", description: "" }],
    config: { id: userId, roles: list("comma-separated role names"), storage: storageFlags },
    run: (i, io) =>
      usersGrant({ storage: storageOf(i.storage, io.env), id: i.id, roles: split(i.roles) }, io),
  }),
  defineCommand({
    words: ["roles", "list"],
    description: "list the roles and their permissions",
    examples: [{ command: "anju roles list", description: "" }],
    config: { json, storage: storageFlags },
    run: (i, io) => rolesList({ storage: storageOf(i.storage, io.env), json: i.json }, io),
  }),
  defineCommand({
    words: ["roles", "add"],
    description: "create a role from permissions (docs/security.md lists them)",
    examples: [
      {
        command:
          "anju roles add --name stock-clerk --description 房源录入 --permissions stock.read,stock.write",
        description: "",
      },
    ],
    config: {
      name: text("name", "NAME", "role name"),
      description: text("description", "TEXT", "what the role is for"),
      permissions: text("permissions", "P1,P2", "comma-separated permissions"),
      storage: storageFlags,
    },
    run: (i, io) =>
      rolesAdd(
        {
          storage: storageOf(i.storage, io.env),
          name: i.name,
          description: i.description,
          permissions: split(i.permissions),
        },
        io,
      ),
  }),
  defineCommand({
    words: ["api-keys", "issue"],
    description: "issue an API key for another government system (shown once)",
    examples: [
      {
        command: "anju api-keys issue --id banjianku --label 办件库 --districts all --roles system",
        description: "",
      },
    ],
    config: {
      id: text("id", "ID", "the system's id"),
      label: text("label", "TEXT", "what the system is"),
      districts: text("districts", "all|310115,…", "districts the system may see"),
      roles: list("comma-separated role names"),
      storage: storageFlags,
    },
    run: (i, io) =>
      apiKeysIssue(
        {
          storage: storageOf(i.storage, io.env),
          id: i.id,
          label: i.label,
          districts: i.districts,
          roles: split(i.roles),
        },
        io,
      ),
  }),
  defineCommand({
    words: ["api-keys", "revoke"],
    description: "revoke an API key at once",
    examples: [{ command: "anju api-keys revoke --id banjianku", description: "" }],
    config: { id: text("id", "ID", "the key's id"), storage: storageFlags },
    run: (i, io) => apiKeysRevoke({ storage: storageOf(i.storage, io.env), id: i.id }, io),
  }),
  defineCommand({
    words: ["api-keys", "list"],
    description: "list API keys (never their secrets)",
    examples: [{ command: "anju api-keys list", description: "" }],
    config: { storage: storageFlags },
    run: (i, io) => apiKeysList({ storage: storageOf(i.storage, io.env) }, io),
  }),
  defineCommand({
    words: ["audit", "verify"],
    description: "verify the audit log: SM3 chain, gaps, SM2 checkpoints (GB/T 39786)",
    examples: [
      {
        command: "anju audit verify --public-key 04…",
        description:
          "exit 0 intact, 1 naming the first changed or missing record (key default: ANJU_AUDIT_PUBLIC_KEY)",
      },
    ],
    config: {
      publicKey: optionalText(
        "public-key",
        "04…",
        "trusted SM2 public key(s) of the checkpoints (default: ANJU_AUDIT_PUBLIC_KEY)",
      ),
      json,
      storage: storageFlags,
    },
    run: (i, io) =>
      auditVerify(
        {
          storage: storageOf(i.storage, io.env),
          json: i.json,
          ...(i.publicKey === undefined ? {} : { trustedPublicKey: i.publicKey }),
        },
        io,
      ),
  }),
  defineCommand({
    words: ["audit", "checkpoint"],
    description: "sign the audit log's head with the configured SM2 key (run periodically)",
    examples: [
      { command: "anju audit checkpoint", description: "signs with the SM2 key in ANJU_SM2_PRIVATE_KEY" },
    ],
    config: { storage: storageFlags },
    run: (i, io) => auditCheckpoint({ storage: storageOf(i.storage, io.env) }, io),
  }),
] as const

export const ACCESS_GROUPS = {
  users: "stored users (用户): add, list, disable, enable, passwd, grant",
  roles: "roles (角色) as permission sets",
  "api-keys": "API keys for other government systems",
  audit: "the audit log (审计日志): verify the chain and checkpoints, sign a checkpoint",
} as const
