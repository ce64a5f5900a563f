#!/usr/bin/env bash
# Runs the app locally: checks that the Cosmos DB emulator answers, starts Azurite (storage for the Functions
# host) on 127.0.0.1, then the Functions host through `dotnet run` (which runs `func start` in the build
# output). Ctrl+C stops both. Call the API with a token from functions/dev-token.sh (README, "HTTP API").
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

command -v node >/dev/null || { echo "Node.js 20+ is required to run Azurite." >&2; exit 1; }
command -v func >/dev/null || { echo "Azure Functions Core Tools v4 (func) is required: npm i -g azure-functions-core-tools@4" >&2; exit 1; }
[ -d tests/tools/node_modules ] || npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error
[ -f local.settings.json ] || cp local.settings.sample.json local.settings.json

# The app needs Cosmos DB: locally the emulator (README, "Cosmos DB"). Fail early, saying how to start it.
cosmos=$(node -e 'console.log(JSON.parse(require("fs").readFileSync("local.settings.json", "utf8")).Values.Cosmos__AccountEndpoint || "")')
hostport=${cosmos#*://}; hostport=${hostport%%/*}
if ! (exec 3<>"/dev/tcp/${hostport%%:*}/${hostport##*:}") 2>/dev/null; then
  echo "No Cosmos DB emulator answers at $cosmos: start it and trust its certificate (README, \"Cosmos DB\"), then run this again." >&2
  exit 1
fi

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

mkdir -p "$ROOT/.azurite"
node tests/tools/node_modules/.bin/azurite --silent --disableTelemetry --skipApiVersionCheck \
  --location "$ROOT/.azurite" --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 &
pids+=($!)

dotnet run --project functions/ServerlessBackend.Functions "$@"
