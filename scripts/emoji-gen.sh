#!/usr/bin/env bash
# Regenerates internal/emoji/emoji.json and web/src/assets/emoji/twitter-32.png from the npm package
# emoji-datasource-twitter (data MIT, Twemoji graphics CC-BY 4.0; see scripts/emoji-gen.mjs). The outputs are
# committed: building Relay needs neither this script nor the package (about 60 MB packed).
set -euo pipefail
cd "$(dirname "$0")/.."
version=${EMOJI_DATASOURCE_VERSION:-16.0.0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "emoji-datasource-twitter@$version" >/dev/null && tar xzf emoji-datasource-twitter-*.tgz)
node scripts/emoji-gen.mjs "$tmp/package"
