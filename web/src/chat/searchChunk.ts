// The search panel's chunk (chat/SearchPanel.tsx with lib/searchRefine.ts): loaded when the search box is first
// focused or a search first shows, never on the first screen (test/bundle.test.ts). One shared request; a failed
// one is tried again on the next call.
type SearchChunk = typeof import("./SearchPanel");
let chunk: Promise<SearchChunk> | null = null;

export function loadSearchChunk(): Promise<SearchChunk> {
  chunk ??= import("./SearchPanel").catch((e) => {
    chunk = null;
    throw e;
  });
  return chunk;
}
