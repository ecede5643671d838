// A small fuzzy matcher for the quick switcher and pickers: contiguous matches beat scattered ones, prefixes and
// word starts beat the middle of words. Returns the matched character positions for highlighting.
export interface FuzzyMatch {
  score: number;
  indices: number[];
}

const isWordStart = (s: string, i: number) => i === 0 || /[\s\-_.,@#/]/.test(s[i - 1]);

export function fuzzy(query: string, text: string): FuzzyMatch | null {
  const q = query.trim().toLowerCase();
  if (!q) return { score: 0, indices: [] };
  const t = text.toLowerCase();
  const at = t.indexOf(q);
  if (at >= 0) {
    // Contiguous: best at the start, then at a word start.
    let score = 1000 - at - (t.length - q.length) * 0.5;
    if (at === 0) score += 500;
    else if (isWordStart(t, at)) score += 250;
    return { score, indices: Array.from({ length: q.length }, (_, k) => at + k) };
  }
  // Scattered: every query character in order.
  const indices: number[] = [];
  let score = 0;
  let ti = 0;
  for (let qi = 0; qi < q.length; qi++) {
    const c = q[qi];
    if (c === " ") continue;
    // Prefer the next word start holding c; else the next occurrence.
    let found = -1;
    for (let j = ti; j < t.length; j++) {
      if (t[j] === c && isWordStart(t, j)) {
        found = j;
        break;
      }
    }
    const next = t.indexOf(c, ti);
    if (next < 0) return null;
    if (found < 0 || (indices.length && next === indices[indices.length - 1] + 1)) found = next;
    if (indices.length && found === indices[indices.length - 1] + 1) score += 15;
    if (isWordStart(t, found)) score += 10;
    score -= (found - ti) * 0.5;
    indices.push(found);
    ti = found + 1;
  }
  return { score: score - t.length * 0.2, indices };
}

/** Split text into [plain, matched, plain, …] runs for rendering with <mark>. */
export function highlightRuns(text: string, indices: number[]): { text: string; hit: boolean }[] {
  if (!indices.length) return [{ text, hit: false }];
  const set = new Set(indices);
  const runs: { text: string; hit: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const hit = set.has(i);
    const last = runs[runs.length - 1];
    if (last && last.hit === hit) last.text += text[i];
    else runs.push({ text: text[i], hit });
  }
  return runs;
}
