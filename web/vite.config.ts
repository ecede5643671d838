import { defineConfig, type Plugin } from "vite";
import preact from "@preact/preset-vite";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";

// dist/.keep is committed so that the Go embed pattern always matches; Vite empties dist/ on build, so put it back.
const keepDist: Plugin = {
  name: "relay-keep-dist",
  apply: "build",
  closeBundle() {
    writeFileSync(resolve(import.meta.dirname, "dist/.keep"), "");
  },
};

// The Go server embeds dist/ and serves /assets/* as immutable (fingerprinted by Vite's default names).
// `npm run dev` proxies the API and the socket to a local relay on :8080; open http://<sub>.localhost:5173.
export default defineConfig({
  plugins: [preact(), keepDist],
  build: { outDir: "dist", emptyOutDir: true, assetsDir: "assets", target: "es2022" },
  server: {
    proxy: {
      "/api": { target: "http://127.0.0.1:8080" },
      "/socket": { target: "ws://127.0.0.1:8080", ws: true },
    },
  },
});
