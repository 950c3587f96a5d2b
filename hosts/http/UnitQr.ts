/**
 * QR codes of unit pages (一房一码, J3): PNG and SVG images of exactly the URL they are given, with
 * error-correction level M and the standard 4-module quiet zone, so printed labels scan reliably.
 * Output depends only on the URL, which is why callers may cache it for a long time.
 */
import QRCode from "qrcode"

const OPTIONS = { errorCorrectionLevel: "M", margin: 4 } as const

/** PNG bytes, 8 pixels per module (about 300 px square for a typical page URL). */
export const qrPng = async (url: string): Promise<Uint8Array<ArrayBuffer>> =>
  new Uint8Array(await QRCode.toBuffer(url, { ...OPTIONS, type: "png", scale: 8 }))

/** A standalone `<svg>` document. */
export const qrSvg = (url: string): Promise<string> => QRCode.toString(url, { ...OPTIONS, type: "svg" })
