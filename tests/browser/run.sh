#!/usr/bin/env bash
# Runs the browser tests: a fresh SQLite data folder with demo data, `creanta serve` on a
# free port, then run.mjs in headless Chromium. Screenshots: target/screenshots/.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
cargo build --quiet -p creanta-cli
bin="$root/target/debug/creanta"
data="$(mktemp -d)"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$data"' EXIT
export CREANTA_DATA_DIR="$data" DATABASE_URL=
"$bin" demo --debtors 30 --today 2026-12-01 > /dev/null
password="$("$bin" user add browser@termoconstruct.ro --name "Test Browser" --role manager | sed 's/.*one-time password: //')"
# The daily run stays off: the tests expect the demo data as loaded.
"$bin" serve --bind 127.0.0.1:0 --run-at off > "$data/serve.log" 2>&1 &
server=$!
for _ in $(seq 50); do grep -q 'serving http' "$data/serve.log" && break; sleep 0.2; done
base="$(sed -n 's/.*serving \(http[^ ]*\)\/.*/\1/p' "$data/serve.log")"
[ -n "$base" ] || { cat "$data/serve.log"; exit 1; }
cd "$root/tests/browser"
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --silent
node run.mjs "$base" browser@termoconstruct.ro "$password" "$root/target/screenshots"
