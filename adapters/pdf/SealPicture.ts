/**
 * The seal picture (印章图样) drawn as vector paths, used as a signature's visible appearance: an
 * organisation's round red seal (ring, star, name along the upper arc, "合同专用章" below) or a person's
 * square name seal. Characters are outlines taken from the CJK font (no font resource in the seal), so
 * the picture renders the same in every viewer and is not extractable text (the name is in /Name).
 */
import { cjkFont, type FontkitGlyph } from "./CjkFont.js"

type Glyph = FontkitGlyph
const font = cjkFont

const n = (v: number) => (Math.round(v * 100) / 100).toString()

/** PDF path operators of one glyph outline (font units; quadratic segments raised to cubic). */
const glyphPath = (g: Glyph): string => {
  const out: Array<string> = []
  let cx = 0
  let cy = 0
  for (const { command, args } of g.path.commands) {
    switch (command) {
      case "moveTo":
        out.push(`${n(args[0]!)} ${n(args[1]!)} m`)
        ;[cx, cy] = [args[0]!, args[1]!]
        break
      case "lineTo":
        out.push(`${n(args[0]!)} ${n(args[1]!)} l`)
        ;[cx, cy] = [args[0]!, args[1]!]
        break
      case "quadraticCurveTo": {
        const [qx, qy, x, y] = args as [number, number, number, number]
        const c1 = [cx + (2 / 3) * (qx - cx), cy + (2 / 3) * (qy - cy)]
        const c2 = [x + (2 / 3) * (qx - x), y + (2 / 3) * (qy - y)]
        out.push(`${n(c1[0]!)} ${n(c1[1]!)} ${n(c2[0]!)} ${n(c2[1]!)} ${n(x)} ${n(y)} c`)
        ;[cx, cy] = [x, y]
        break
      }
      case "bezierCurveTo":
        out.push(`${args.map(n).join(" ")} c`)
        ;[cx, cy] = [args[4]!, args[5]!]
        break
      case "closePath":
        out.push("h")
        break
    }
  }
  return out.join("\n")
}

const paths = new Map<string, { readonly path: string; readonly advance: number }>()
const outline = (ch: string) => {
  let p = paths.get(ch)
  if (p === undefined) {
    const g = font().glyphForCodePoint(ch.codePointAt(0)!)
    p = { path: glyphPath(g), advance: g.advanceWidth }
    if (paths.size < 4096) paths.set(ch, p)
  }
  return p
}

/** One character, `size` points high, centred at (x, y), rotated by `angle` radians. */
const character = (ch: string, size: number, x: number, y: number, angle = 0): string => {
  const f = font()
  const g = outline(ch)
  const s = size / f.unitsPerEm
  const cos = Math.cos(angle) * s
  const sin = Math.sin(angle) * s
  // Move the glyph's centre (advance/2, ~0.38 em above the baseline) to the origin before rotating.
  const gx = -g.advance / 2
  const gy = -f.unitsPerEm * 0.38
  const tx = x + cos * gx - sin * gy
  const ty = y + sin * gx + cos * gy
  return `q ${cos.toFixed(5)} ${sin.toFixed(5)} ${(-sin).toFixed(5)} ${cos.toFixed(5)} ${n(tx)} ${n(ty)} cm\n${g.path}\nf Q`
}

const RED = "0.86 0.08 0.08"

/** Content stream of a round organisation seal filling a `size` × `size` box. */
export const organisationSeal = (name: string, size: number, inscription = "合同专用章"): string => {
  const c = size / 2
  const r = c - 3
  const k = 0.5523 * r
  const ops = [
    `q ${RED} RG ${RED} rg 3 w`,
    `${n(c + r)} ${n(c)} m ${n(c + r)} ${n(c + k)} ${n(c + k)} ${n(c + r)} ${n(c)} ${n(c + r)} c`,
    `${n(c - k)} ${n(c + r)} ${n(c - r)} ${n(c + k)} ${n(c - r)} ${n(c)} c`,
    `${n(c - r)} ${n(c - k)} ${n(c - k)} ${n(c - r)} ${n(c)} ${n(c - r)} c`,
    `${n(c + k)} ${n(c - r)} ${n(c + r)} ${n(c - k)} ${n(c + r)} ${n(c)} c S`,
  ]
  // Five-pointed star in the centre.
  const star = Array.from({ length: 10 }, (_, i) => {
    const rr = i % 2 === 0 ? r * 0.26 : r * 0.1
    const a = Math.PI / 2 + (i * Math.PI) / 5
    return `${n(c + rr * Math.cos(a))} ${n(c + rr * Math.sin(a))} ${i === 0 ? "m" : "l"}`
  })
  ops.push(`${star.join(" ")} h f`)
  // The name along the upper arc, from lower left over the top to lower right.
  const chars = Array.from(name)
  const span = Math.min(Math.PI * 1.35, chars.length * 0.36)
  const glyph = Math.min(r * 0.3, ((r * 0.72 * span) / Math.max(chars.length, 1)) * 0.95)
  chars.forEach((ch, i) => {
    const a = Math.PI / 2 + span / 2 - (chars.length === 1 ? span / 2 : (i * span) / (chars.length - 1))
    const rr = r * 0.72
    ops.push(character(ch, glyph, c + rr * Math.cos(a), c + rr * Math.sin(a), a - Math.PI / 2))
  })
  const ins = Array.from(inscription)
  const isize = r * 0.2
  ins.forEach((ch, i) => {
    ops.push(character(ch, isize, c + (i - (ins.length - 1) / 2) * isize * 1.02, c - r * 0.5))
  })
  ops.push("Q")
  return ops.join("\n")
}

/** Content stream of a person's square name seal (`name` + 印) filling a `size` × `size` box. */
export const personSeal = (name: string, size: number): string => {
  const chars = Array.from(`${name}印`)
  const cols = Math.min(chars.length, 2)
  const rows = Math.ceil(chars.length / cols)
  const side = size * 0.7
  const x0 = (size - side) / 2
  const cell = (side - 8) / Math.max(cols, rows)
  const ops = [`q ${RED} RG ${RED} rg 3 w ${n(x0)} ${n(x0)} ${n(side)} ${n(side)} re S`]
  // Traditional order: right column first, top to bottom.
  chars.forEach((ch, i) => {
    const col = cols - 1 - Math.floor(i / rows)
    const row = i % rows
    const cx = size / 2 + (col - (cols - 1) / 2) * cell
    const cy = size / 2 - (row - (rows - 1) / 2) * cell
    ops.push(character(ch, cell * 0.92, cx, cy))
  })
  ops.push("Q")
  return ops.join("\n")
}
