/** "did you mean …?" hints: the closest known word by edit distance. */

/** Levenshtein distance (insert, delete, substitute all cost 1). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost))
    }
    previous = current
  }
  return previous[b.length]!
}

function commonPrefixLength(a: string, b: string): number {
  let n = 0
  while (n < a.length && n < b.length && a[n] === b[n]) n++
  return n
}

/**
 * The candidate closest to `word`, if it is a plausible typo: within an edit distance of a
 * third of the word's length (at least 2), or sharing a long prefix with it (most of the
 * word, at least 5 characters: `authorized` → `authoritative`). Closest distance wins, then
 * the longer shared prefix.
 */
export function closestWord(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase()
  const limit = Math.max(2, Math.floor(lower.length / 3))
  const prefixNeeded = Math.max(5, Math.ceil(lower.length * 0.6))
  let best: { word: string; distance: number; prefix: number } | undefined
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate)
    const prefix = commonPrefixLength(lower, candidate)
    if (distance === 0 || (distance > limit && prefix < prefixNeeded)) continue
    if (!best || distance < best.distance || (distance === best.distance && prefix > best.prefix)) {
      best = { word: candidate, distance, prefix }
    }
  }
  return best?.word
}

/** `did you mean \`X\`?` for the closest candidate, or undefined. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const best = closestWord(word, candidates)
  return best === undefined ? undefined : `did you mean \`${best}\`?`
}
