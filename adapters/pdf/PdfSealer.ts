/**
 * Sealer on PDF signatures with a local seal CA: each seal is an incremental update whose /Contents is
 * a CMS SignedData (SM3, SM2-with-SM3) made with the holder's credential from the CA. The seal picture
 * is drawn as the field's appearance. Refusals (not a PDF, field already signed) are `Unsealable`.
 */
import { Effect, Layer } from "effect"
import { Sealer, SealerError, type SealRequest } from "../../application/ports/Sealer.js"
import { demoSealAuthority, type LocalSealAuthority } from "../sm/LocalSealAuthority.js"
import { signDetached } from "../sm/Sm2Cms.js"
import { appendSignature, SignatureRefused } from "./PdfSignature.js"

export const make = (ca: LocalSealAuthority): Sealer["Service"] => ({
  seal: (pdf: Uint8Array, r: SealRequest) =>
    Effect.tryPromise({
      try: () => {
        const credential = ca.credentialFor({ holder: r.holder, name: r.name, kind: r.holderKind })
        return appendSignature(pdf, {
          role: r.role,
          name: r.name,
          reason: r.reason,
          signingTime: r.signingTime,
          picture: r.holderKind,
          sign: (digest) =>
            signDetached({
              digest,
              signingTime: r.signingTime,
              certificate: credential.certificate,
              key: credential.key,
            }),
        })
      },
      catch: (e) =>
        new SealerError({
          reason:
            e instanceof SignatureRefused
              ? { _tag: "Unsealable", detail: e.message }
              : { _tag: "Failed", detail: e instanceof Error ? e.message : String(e) },
        }),
    }),
})

export const layer = (ca: LocalSealAuthority): Layer.Layer<Sealer> => Layer.succeed(Sealer, make(ca))

/** The demo CA's sealer (demo and tests only). */
export const layerDemo: Layer.Layer<Sealer> = Layer.sync(Sealer, () => make(demoSealAuthority()))
