// Generates Relay's one emoji table and the fallback image sheet from the npm package
// emoji-datasource-twitter (run scripts/emoji-gen.sh, which fetches the package):
//
//   internal/emoji/emoji.json            names → characters, picker groups, sheet positions (Go embeds it for
//                                        shortcode conversion; web/src/lib/emoji.ts imports it for the picker)
//   web/src/assets/emoji/twitter-32.png  Twemoji 32 px sprite sheet (256 colours), shown where the platform has
//                                        no colour emoji font
//
// Licences: the emoji data (names, order, sheet layout) is emoji-data by Cal Henderson / iamcal, MIT — the
// short names are the ones Slack uses. The graphics are Twemoji, © Twitter, Inc. and other contributors,
// CC-BY 4.0 (https://creativecommons.org/licenses/by/4.0/); credited in docs/web.md and the app.
//
// usage: node scripts/emoji-gen.mjs <unpacked emoji-datasource-twitter package dir>
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const pkgDir = process.argv[2];
if (!pkgDir) {
  console.error("usage: node scripts/emoji-gen.mjs <emoji-datasource-twitter package dir>");
  process.exit(2);
}
const root = resolve(dirname(new URL(import.meta.url).pathname), "..");
const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
const data = JSON.parse(readFileSync(join(pkgDir, "emoji.json"), "utf8"));

const char = (unified) => String.fromCodePoint(...unified.split("-").map((h) => parseInt(h, 16)));
const nameRE = /^[a-z0-9_+-]+$/;

data.sort((a, b) => a.sort_order - b.sort_order);
const groups = [];
const emoji = [];
const skins = [];
const seen = new Set();
for (const e of data) {
  if (!e.has_img_twitter) continue;
  const names = e.short_names.filter((n) => nameRE.test(n) && !seen.has(n));
  if (names.length === 0) continue;
  names.forEach((n) => seen.add(n));
  if (!groups.includes(e.category)) groups.push(e.category);
  emoji.push({ c: char(e.unified), n: names, g: groups.indexOf(e.category), x: e.sheet_x, y: e.sheet_y });
  for (const v of Object.values(e.skin_variations ?? {})) {
    if (v.has_img_twitter) skins.push([char(v.unified), v.sheet_x, v.sheet_y]);
  }
}

const cols = Math.max(...data.map((e) => e.sheet_x)) + 1;
const lines = [
  "{",
  `"source": ${JSON.stringify(`${pkg.name} ${pkg.version}: data MIT (iamcal emoji-data), graphics Twemoji CC-BY 4.0`)},`,
  `"sheet": {"file": "twitter-32.png", "size": 32, "padding": 1, "cols": ${cols}},`,
  `"groups": ${JSON.stringify(groups)},`,
  `"emoji": [`,
  emoji.map((e) => JSON.stringify(e)).join(",\n"),
  `],`,
  `"skins": [`,
  skins.map((s) => JSON.stringify(s)).join(",\n"),
  `]`,
  "}",
];
writeFileSync(join(root, "internal/emoji/emoji.json"), lines.join("\n") + "\n");
copyFileSync(join(pkgDir, "img/twitter/sheets-256/32.png"), join(root, "web/src/assets/emoji/twitter-32.png"));
console.log(`emoji: ${emoji.length} emoji, ${skins.length} skin tones, ${seen.size} names from ${pkg.name} ${pkg.version}`);
