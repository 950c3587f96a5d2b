/**
 * The only path personal data takes to and from the CaseStore: members are sealed field by field
 * through the FieldCipher port (names, ID numbers, phones, bank cards) with a blind index of each ID
 * number, the declared household income and assets likewise, and opened again on read (a plain income or
 * assets string is a row from before they were sealed: read as it is). Also the request digest used for
 * idempotency and agency evidence, computed over blind indexes so no digest can be brute-forced back to an
 * ID number.
 */
import { Effect } from "effect"
import type { Case, Member } from "../../domain/cases/Case.js"
import { canonicalJson, type Json } from "../../domain/lottery/CanonicalJson.js"
import { toHex, utf8 } from "../../domain/lottery/Digest.js"
import { sha256 } from "../../domain/lottery/Sha256.js"
import * as IdNumber from "../../domain/values/ResidentIdNumber.js"
import * as Mobile from "../../domain/values/MobileNumber.js"
import * as PersonName from "../../domain/values/PersonName.js"
import { FieldCipher, type SealedField, type SensitiveField } from "../ports/FieldCipher.js"
import type { StoredCase, StoredEconomy, StoredMember } from "../ports/CaseStore.js"

export const sealMember = Effect.fn("Cases.sealMember")(function* (m: Member) {
  const cipher = yield* FieldCipher
  return {
    role: m.role,
    name: yield* cipher.seal("name", m.name),
    idNumber: yield* cipher.seal("idNumber", m.idNumber),
    idIndex: yield* cipher.blindIndex("idNumber", m.idNumber),
    phone: m.phone === null ? null : yield* cipher.seal("phone", m.phone),
    bankCard: m.bankCard === null ? null : yield* cipher.seal("bankCard", m.bankCard),
  } satisfies StoredMember
})

export const openMember = Effect.fn("Cases.openMember")(function* (s: StoredMember) {
  const cipher = yield* FieldCipher
  return {
    role: s.role,
    name: yield* cipher.open("name", s.name),
    idNumber: yield* cipher.open("idNumber", s.idNumber),
    phone: s.phone === null ? null : yield* cipher.open("phone", s.phone),
    bankCard: s.bankCard === null ? null : yield* cipher.open("bankCard", s.bankCard),
  } satisfies Member
})

type Economy = NonNullable<Case["economy"]>

export const sealEconomy = Effect.fn("Cases.sealEconomy")(function* (e: Economy) {
  const cipher = yield* FieldCipher
  return {
    householdSize: e.householdSize,
    illnessPoverty: e.illnessPoverty,
    annualDisposableIncome: yield* cipher.seal("income", e.annualDisposableIncome),
    property: yield* cipher.seal("assets", e.property),
  } satisfies StoredEconomy
})

/** A stored value of income or assets in clear: written before they were sealed (read compatibility). */
export const isPlainLegacy = (v: SealedField | string): v is string => typeof v === "string"

const openValue = (field: SensitiveField, v: SealedField | string) =>
  Effect.gen(function* () {
    if (isPlainLegacy(v)) return v
    const cipher = yield* FieldCipher
    return yield* cipher.open(field, v)
  })

export const openEconomy = Effect.fn("Cases.openEconomy")(function* (e: StoredEconomy) {
  return {
    householdSize: e.householdSize,
    illnessPoverty: e.illnessPoverty,
    annualDisposableIncome: yield* openValue("income", e.annualDisposableIncome),
    property: yield* openValue("assets", e.property),
  } satisfies Economy
})

/** True when the stored economy still holds income or assets in clear (a row from before sealing). */
export const economyNeedsSealing = (e: StoredEconomy | null): boolean =>
  e !== null && (isPlainLegacy(e.annualDisposableIncome) || isPlainLegacy(e.property))

export const sealCase = (c: Case) =>
  Effect.gen(function* () {
    const members = yield* Effect.forEach(c.members, sealMember)
    const economy = c.economy === null ? null : yield* sealEconomy(c.economy)
    return { ...c, members, economy } satisfies StoredCase as StoredCase
  })

export const openCase = (s: StoredCase) =>
  Effect.gen(function* () {
    const members = yield* Effect.forEach(s.members, openMember)
    const economy = s.economy === null ? null : yield* openEconomy(s.economy)
    return { ...s, members, economy } satisfies Case as Case
  })

/** Masked view for screens and API answers (`110105********002X`, `138****5678`, card last 4). */
export const maskMember = (m: Member) => ({
  role: m.role,
  name: PersonName.mask(m.name),
  idNumber: IdNumber.mask(m.idNumber),
  phone: m.phone === null ? null : Mobile.mask(m.phone),
  bankCard: m.bankCard === null ? null : `****${m.bankCard.slice(-4)}`,
})

export const applicantIndexOf = (s: Pick<StoredCase, "members">): string | undefined =>
  s.members.find((m) => m.role === "applicant")?.idIndex

/** Replaces every member by blind indexes, so a digest over the request reveals no personal data. */
export const fingerprintMembers = (members: ReadonlyArray<Member>) =>
  Effect.gen(function* () {
    const cipher = yield* FieldCipher
    return yield* Effect.forEach(members, (m) =>
      Effect.gen(function* () {
        return {
          role: m.role,
          name: yield* cipher.blindIndex("name", m.name),
          idNumber: yield* cipher.blindIndex("idNumber", m.idNumber),
          phone: m.phone === null ? null : yield* cipher.blindIndex("phone", m.phone),
          bankCard: m.bankCard === null ? null : yield* cipher.blindIndex("bankCard", m.bankCard),
        }
      }),
    )
  })

/** SHA-256 (hex) over canonical JSON. Callers pass values that hold no plain personal data. */
export const digestOf = (value: unknown): string =>
  toHex(sha256(utf8(canonicalJson(JSON.parse(JSON.stringify(value)) as Json))))
