#!/usr/bin/env bash
# The server the end-to-end tests drive: a fresh data directory, migrated, with a known admin,
# the offline providers and the built studio — exactly what `make run` serves.
set -euo pipefail
cd "$(dirname "$0")/../.."
data=$(mktemp -d -t storyreel-e2e-XXXXXX)
trap 'rm -rf "$data"' EXIT
export STORYREEL_DATA_DIR="$data"
export STORYREEL_ADMIN_EMAIL="${E2E_ADMIN_EMAIL:-admin@example.com}"
export STORYREEL_ADMIN_PASSWORD="${E2E_ADMIN_PASSWORD:-admin password 1}"
export STORYREEL_LOG_FORMAT=json
# A copy of the build (web/dist), so the PWA spec can deploy a newer build into it mid-run and
# see the studio offer the update, without touching web/dist.
studio="${E2E_STUDIO_DIR:-$data/studio}"
trap 'rm -rf "$data" "$studio"' EXIT
rm -rf "$studio"
mkdir -p "$(dirname "$studio")"
cp -R web/dist "$studio"
export STORYREEL_STUDIO_DIR="$studio"
.venv/bin/storyreel migrate >/dev/null
log="${E2E_LOG:-/dev/null}"
mkdir -p "$(dirname "$log")"
# exec would lose the trap; run in the foreground and forward Playwright's SIGTERM.
.venv/bin/storyreel serve --host 127.0.0.1 --port "${E2E_PORT:-8765}" >"$log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server; rm -rf "$data" "$studio"' EXIT TERM INT
wait $server
