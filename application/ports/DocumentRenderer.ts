/**
 * DocumentRenderer: turns a laid-out document (domain/documents) into printable bytes — an A4 PDF with
 * real, extractable text in an embedded font subset, page numbers, the document number and a QR code of
 * its public verification page. The output depends only on the layout (no clock inside), so the same
 * layout renders to the same bytes.
 */
import { Context, Data, type Effect } from "effect"
import type { DocumentLayout } from "../../domain/documents/Document.js"

export type DocumentRendererErrorReason =
  /** A character the embedded font cannot draw, or a block too large for a page. Not retryable. */
  | { readonly _tag: "Unrenderable"; readonly detail: string }
  /** The font or the PDF engine failed. Not retryable. */
  | { readonly _tag: "Failed"; readonly detail: string }

export class DocumentRendererError extends Data.TaggedError("DocumentRendererError")<{
  readonly reason: DocumentRendererErrorReason
}> {
  override get message(): string {
    return `document rendering failed (${this.reason._tag}): ${this.reason.detail}`
  }
  get isRetryable(): boolean {
    return false
  }
}

export class DocumentRenderer extends Context.Service<
  DocumentRenderer,
  {
    /** The PDF bytes of `layout`; seal places become empty signature fields named by their role. */
    readonly render: (layout: DocumentLayout) => Effect.Effect<Uint8Array, DocumentRendererError>
  }
>()("anju/DocumentRenderer") {}
