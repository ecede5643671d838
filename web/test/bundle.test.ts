// @vitest-environment node
// The first download stays small: the emoji table (internal/emoji/emoji.json, as large as the rest of the app) is
// loaded on demand (lib/emoji.ts), so it must not be in the main chunk nor in any chunk the main chunk imports
// statically. A static import of lib/emojiTable.ts (or of the JSON) anywhere on the first screen's path would pull
// it back in; this builds the app in memory and fails then. The search results panel (chat/SearchPanel.tsx) is
// likewise a chunk of its own, loaded the first time a search runs.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { build, type Rolldown } from "vite";
import preact from "@preact/preset-vite";

const WEB = join(import.meta.dirname, "..");
const TABLE = /internal\/emoji\/emoji\.json$/;

describe("the main chunk", () => {
  it("does not carry the emoji table, which comes in its own chunk on demand", async () => {
    // Vitest sets NODE_ENV=test, which Vite would build into the code (keeping libraries' development paths).
    const env = process.env.NODE_ENV;
    process.env.NODE_ENV = "production";
    const out = await build({
      root: WEB,
      mode: "production", // minified, as `npm run build` (vitest's own mode is "test")
      configFile: false,
      logLevel: "silent",
      plugins: [preact()],
      build: { write: false, minify: true, target: "es2022", assetsDir: "assets" },
    }).finally(() => {
      process.env.NODE_ENV = env;
    });
    const chunks = (Array.isArray(out) ? out : [out])
      .flatMap((o) => (o as Rolldown.RolldownOutput).output)
      .filter((c): c is Rolldown.OutputChunk => c.type === "chunk");
    const byName = new Map(chunks.map((c) => [c.fileName, c]));
    const entry = chunks.find((c) => c.isEntry);
    expect(entry).toBeDefined();

    // The entry and everything it imports statically: what the first screen downloads.
    const first = new Set<string>();
    const visit = (name: string) => {
      if (first.has(name)) return;
      first.add(name);
      for (const i of byName.get(name)?.imports ?? []) visit(i);
    };
    visit(entry!.fileName);
    const withTable = chunks.filter((c) => c.moduleIds.some((id) => TABLE.test(id))).map((c) => c.fileName);
    expect(withTable.length, "the emoji table is in the build").toBe(1);
    expect([...first].filter((n) => withTable.includes(n)), "chunks of the first download holding the emoji table").toEqual([]);
    expect(entry!.dynamicImports, "the table's chunk is a dynamic import of the main chunk").toContain(withTable[0]);
    // The search results panel (chat/SearchPanel.tsx) is loaded the first time a search runs, not on the first screen.
    const withPanel = chunks.filter((c) => c.moduleIds.some((id) => /chat\/SearchPanel\.tsx$/.test(id))).map((c) => c.fileName);
    expect(withPanel.length, "the search panel is in the build").toBe(1);
    expect([...first].filter((n) => withPanel.includes(n)), "chunks of the first download holding the search panel").toEqual([]);
    // And under Vite's own 500 kB warning: the main chunk is ~445 KB minified, the table's chunk ~136 KB more.
    const size = [...first].reduce((n, f) => n + Buffer.byteLength(byName.get(f)?.code ?? ""), 0);
    expect(size, "minified JS of the first download (bytes)").toBeLessThan(500_000);
  }, 120_000);
});
