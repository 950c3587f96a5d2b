/** Published entry point `anju/adapters/sm`: adapters on the Chinese national algorithms (SM4-GCM, HMAC-SM3). */
export * as Sm4FieldCipher from "./Sm4FieldCipher.js"
export * as Sm2Signer from "./Sm2Signer.js"
export * as SelectionSeal from "./SelectionSeal.js"
// The software KMS (SM4 key versions sealed under a master key) and its key rings, for the envelope cipher.
export * as SoftwareKeyManagement from "../kms/SoftwareKeyManagement.js"
export * as KeyRing from "../kms/KeyRing.js"
