/**
 * A person's name (姓名) as shown on screens and in API answers: masked to its first user-perceived
 * character (grapheme cluster) and one `*` per further cluster (`王五` → `王*`, `𠮷明` → `𠮷*`). Works on
 * grapheme clusters (Intl.Segmenter, pure and locale-independent here), so a character outside the BMP,
 * a combining sequence or an emoji sequence is never split and a mask never holds a lone surrogate.
 */

const segmenter = new Intl.Segmenter("und", { granularity: "grapheme" })

/** The grapheme clusters of `s`, in order (their concatenation is `s`). */
export const graphemes = (s: string): ReadonlyArray<string> =>
  Array.from(segmenter.segment(s), (x) => x.segment)

/** `王五` → `王*`, `欧阳娜娜` → `欧***`; a one-character name → `*`; empty → empty. */
export const mask = (name: string): string => {
  const g = graphemes(name)
  if (g.length === 0) return ""
  return g.length === 1 ? "*" : `${g[0]}${"*".repeat(g.length - 1)}`
}
