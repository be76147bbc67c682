#!/usr/bin/env bash
# Runs `npm start` (sandbox mode) as a new user would, waits until it answers /health, then stops it, leaving the
# checkout's `.data` behind: the tests that follow must not depend on it (each test owns its own folder).
set -euo pipefail
cd "$(dirname "$0")/.."
port="${CI_SANDBOX_PORT:-3000}"
log="$(mktemp)"
PORT="$port" npm start >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:${port}/health" >/dev/null 2>&1; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pkill -TERM -f "src/local/main.ts" 2>/dev/null || true
    [ -d .data ] || { echo "ci: npm start left no .data"; exit 1; }
    echo "ci: sandbox npm start answered /health; .data left in place"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then break; fi
  sleep 1
done
echo "ci: sandbox npm start did not answer /health within 120 s:"
tail -n 40 "$log"
kill -TERM "$pid" 2>/dev/null || true
exit 1
