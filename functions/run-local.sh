#!/usr/bin/env bash
# Runs the app locally: starts Azurite (storage for the Functions host) on 127.0.0.1, then the
# Functions host through `dotnet run` (which runs `func start` in the build output). Ctrl+C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

command -v node >/dev/null || { echo "Node.js 20+ is required to run Azurite." >&2; exit 1; }
command -v func >/dev/null || { echo "Azure Functions Core Tools v4 (func) is required: npm i -g azure-functions-core-tools@4" >&2; exit 1; }
[ -d tests/tools/node_modules ] || npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error
[ -f local.settings.json ] || cp local.settings.sample.json local.settings.json

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

mkdir -p "$ROOT/.azurite"
node tests/tools/node_modules/.bin/azurite --silent --disableTelemetry --skipApiVersionCheck \
  --location "$ROOT/.azurite" --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 &
pids+=($!)

dotnet run --project functions/ServerlessBackend.Functions "$@"
