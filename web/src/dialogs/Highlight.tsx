import { highlightRuns } from "./fuzzy";

export function Highlight({ text, indices }: { text: string; indices: number[] }) {
  return <>{highlightRuns(text, indices).map((r, i) => (r.hit ? <mark key={i}>{r.text}</mark> : r.text))}</>;
}
