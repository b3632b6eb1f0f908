#!/usr/bin/env bash
# Property-based API tests: schemathesis (PyPI) generates requests from /api/openapi.json and
# checks that no answer is a 5xx and none contradicts the schema. Bounded by --max-examples.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
command -v schemathesis >/dev/null || python3 -m pip install --quiet "schemathesis==4.32.5"
cargo build --quiet -p creanta-cli
bin="$root/target/debug/creanta"
data="$(mktemp -d)"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$data"' EXIT
export CREANTA_DATA_DIR="$data" DATABASE_URL=
"$bin" demo --debtors 20 --no-documents --today 2026-12-01 > /dev/null
"$bin" user add api@termoconstruct.ro --role manager > /dev/null
token="$("$bin" token create api@termoconstruct.ro --name schemathesis | sed 's/.*: //')"
# The daily run stays off: the tests expect the demo data as loaded.
"$bin" serve --bind 127.0.0.1:0 --run-at off > "$data/serve.log" 2>&1 &
server=$!
for _ in $(seq 50); do grep -q 'serving http' "$data/serve.log" && break; sleep 0.2; done
base="$(sed -n 's/.*serving \(http[^ ]*\)\/.*/\1/p' "$data/serve.log")"
schemathesis run "$base/api/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
  --max-examples "${SCHEMATHESIS_EXAMPLES:-40}" --seed 1 --no-color
