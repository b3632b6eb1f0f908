#!/usr/bin/env bash
# The crash test of the daily run (tests/crash/crash.py): SIGKILL at random moments, then
# every due message delivered exactly once to a real SMTP server on loopback (aiosmtpd).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
cargo build --quiet -p creanta-cli
python3 -c 'import aiosmtpd' 2>/dev/null || python3 -m pip install --quiet "aiosmtpd==1.4.6"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 tests/crash/crash.py "$root/target/debug/creanta" "$work" "$@"
