/**
 * DocumentRenderer on pdf-lib: the one layout (PdfLayout.ts) with the embedded Noto Sans SC subset.
 * `publicBaseUrl` is where `/documents/{number}` and `/u/{code}` are served (the QR codes' targets).
 */
import { Effect, Layer } from "effect"
import { DocumentRenderer, DocumentRendererError } from "../../application/ports/DocumentRenderer.js"
import type { DocumentLayout } from "../../domain/documents/Document.js"
import { renderLayout, UnrenderableText } from "./PdfLayout.js"

export interface RendererOptions {
  /** e.g. `https://anju.example.gov.cn` (a trailing slash is removed). */
  readonly publicBaseUrl: string
}

export const make = (o: RendererOptions): DocumentRenderer["Service"] => {
  const base = o.publicBaseUrl.replace(/\/+$/u, "")
  return {
    render: (layout: DocumentLayout) =>
      Effect.tryPromise({
        try: () => renderLayout(layout, base),
        catch: (e) =>
          new DocumentRendererError({
            reason:
              e instanceof UnrenderableText
                ? { _tag: "Unrenderable", detail: e.message }
                : { _tag: "Failed", detail: e instanceof Error ? e.message : String(e) },
          }),
      }),
  }
}

export const layer = (o: RendererOptions): Layer.Layer<DocumentRenderer> =>
  Layer.succeed(DocumentRenderer, make(o))
