/**
 * "Did you mean …?" for misspelt keys, enum values and references: the closest candidate by edit distance,
 * offered only when it is close enough to be a plausible typo of what was written.
 */

/** Damerau-Levenshtein distance (optimal string alignment): insertions, deletions, substitutions, swaps. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[rows - 1][cols - 1];
}

/**
 * The candidate closest to `value`, or undefined when none is close: at most a third of the longer string's
 * characters may differ (a difference in case alone counts half), so `upstreamProvider` finds `upstreamProviders` but
 * `region` does not find `groups`.
 */
export function closest(value: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of candidates) {
    if (candidate === value) continue;
    const exact = editDistance(value, candidate);
    const folded = editDistance(value.toLowerCase(), candidate.toLowerCase());
    const score = folded + (exact > folded ? 0.5 : 0);
    const allowed = Math.max(1, Math.floor(Math.max(value.length, candidate.length) / 3));
    if (score <= allowed && score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

/** `; did you mean "x"?` for the closest candidate, or "" when none is close. */
export function didYouMean(value: unknown, candidates: Iterable<string>, render = JSON.stringify): string {
  if (typeof value !== "string") return "";
  const match = closest(value, candidates);
  return match === undefined ? "" : `; did you mean ${render(match)}?`;
}
