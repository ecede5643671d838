// A search snippet: the server's HTML (escaped text with <mark> around matches) drawn as text and <mark> elements
// only (lib/search.ts snippetRuns), never as innerHTML.
import { snippetRuns } from "../lib/search";

export function Snippet({ html, class: cls }: { html: string | null | undefined; class?: string }) {
  const runs = snippetRuns(html);
  if (!runs.length) return null;
  return <span class={"snippet" + (cls ? " " + cls : "")} data-testid="snippet">{runs.map((r, i) => (r.hit ? <mark key={i}>{r.text}</mark> : r.text))}</span>;
}
