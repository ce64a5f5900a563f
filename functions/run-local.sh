#!/usr/bin/env bash
# Runs the app locally with no Docker: for each local dependency named in local.settings.json that nothing answers
# yet, starts one from tests/tools on 127.0.0.1 (Cosmos: the Cosmos protocol server the tests use; SMTP: MailDev;
# host storage: Azurite), prints what runs where, then runs the Functions host through `dotnet run` (which runs
# `func start` in the build output). A running Cosmos DB emulator or SMTP server is used as it is. Everything this
# script started stops when it exits (Ctrl+C). README, "The two commands".
#
#   bash functions/run-local.sh [arguments for func start]
#   bash functions/run-local.sh --deps-only     start the dependencies only, print their endpoints, wait (no func needed)
#
# Ports come from the settings file: local.settings.json (copied from local.settings.sample.json when missing), or the
# file named by LOCAL_SETTINGS. MAILDEV_WEB_PORT (default 1080) is where MailDev shows the mail it received.
set -euo pipefail
cd "${BASH_SOURCE[0]%/*}/.."

deps_only=false
if [ "${1:-}" = "--deps-only" ]; then deps_only=true; shift; fi

if ! $deps_only && ! command -v func >/dev/null; then
  echo "Azure Functions Core Tools v4 (func) is required to run the app: npm i -g azure-functions-core-tools@4" >&2
  echo "(To start only the local dependencies, run: bash functions/run-local.sh --deps-only)" >&2
  exit 1
fi
command -v node >/dev/null || { echo "Node.js 20+ is required to start the local dependencies from tests/tools." >&2; exit 1; }
[ -d tests/tools/node_modules ] || npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error

settings="${LOCAL_SETTINGS:-local.settings.json}"
if [ -z "${LOCAL_SETTINGS:-}" ] && [ ! -f "$settings" ]; then cp local.settings.sample.json "$settings"; fi
[ -f "$settings" ] || { echo "Settings file $settings not found." >&2; exit 1; }

# name=value lines from the settings' Values: the Cosmos endpoint, the SMTP relay, Azurite's ports when the host
# storage is the local development storage (UseDevelopmentStorage=true or a connection string with 127.0.0.1 endpoints).
eval "$(SETTINGS="$settings" node -e '
const v = JSON.parse(require("fs").readFileSync(process.env.SETTINGS, "utf8")).Values || {};
const cosmos = new URL(v.Cosmos__AccountEndpoint || "https://127.0.0.1:8081/");
const storage = v.AzureWebJobsStorage || "";
const port = (name, fallback) => {
  const m = new RegExp(`${name}Endpoint=https?://(127\\.0\\.0\\.1|localhost):(\\d+)`, "i").exec(storage);
  return m ? m[2] : storage.startsWith("UseDevelopmentStorage=true") ? fallback : "";
};
const out = {
  cosmos_endpoint: cosmos.href, cosmos_host: cosmos.hostname, cosmos_port: cosmos.port || "443",
  cosmos_untrusted_ok: String(v.Cosmos__AllowUntrustedLoopbackCertificate).toLowerCase() === "true" ? "true" : "false",
  smtp_host: v.Email__SmtpHost || "", smtp_port: v.Email__SmtpPort || "",
  blob_port: port("Blob", "10000"), queue_port: port("Queue", "10001"), table_port: port("Table", "10002"),
  servicebus: (/Endpoint=([^;]+)/i.exec(v.ServiceBus || "") || [])[1] || v.ServiceBus__fullyQualifiedNamespace || "",
};
for (const [k, val] of Object.entries(out)) console.log(`${k}='"'"'${val.replaceAll("'"'"'", "")}'"'"'`);
')"
web_port="${MAILDEV_WEB_PORT:-1080}"

is_loopback() { [ "$1" = 127.0.0.1 ] || [ "$1" = localhost ]; }
answers() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

pids=()
logs="$(mktemp -d)"
cleanup() {
  for pid in ${pids[@]+"${pids[@]}"}; do kill "$pid" 2>/dev/null || true; done
  for pid in ${pids[@]+"${pids[@]}"}; do wait "$pid" 2>/dev/null || true; done
  pids=()
  rm -rf "$logs"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME PORT... -- COMMAND...: runs COMMAND in the background and waits until it listens on every PORT.
start() {
  local name="$1" ports=() ; shift
  while [ "$1" != "--" ]; do ports+=("$1"); shift; done; shift
  "$@" >"$logs/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  for port in "${ports[@]}"; do
    for _ in $(seq 600); do
      answers 127.0.0.1 "$port" && continue 2
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    echo "$name did not start on 127.0.0.1:$port:" >&2; cat "$logs/$name.log" >&2; exit 1
  done
}

summary=()
bin=tests/tools/node_modules/.bin

if ! is_loopback "$cosmos_host"; then
  summary+=("cosmos      $cosmos_endpoint  (not local: used as configured)")
elif answers "$cosmos_host" "$cosmos_port"; then
  summary+=("cosmos      $cosmos_endpoint  (already running, e.g. the Cosmos DB emulator: used as it is)")
else
  start cosmos "$cosmos_port" -- node tests/tools/cosmosdb-server.js --host 127.0.0.1 --port "$cosmos_port" --serve-query-plans
  summary+=("cosmos      $cosmos_endpoint  (started: Cosmos protocol server from tests/tools, in memory: README, 'Running locally')")
  if [ "$cosmos_untrusted_ok" != true ]; then
    echo "warning: $settings does not set Cosmos__AllowUntrustedLoopbackCertificate=true, so the app will refuse the local server's self-signed certificate (copy it from local.settings.sample.json)." >&2
  fi
fi

if [ -z "$smtp_host" ] || ! is_loopback "$smtp_host"; then
  summary+=("smtp        ${smtp_host:-not set}:${smtp_port}  (not local: used as configured)")
elif answers "$smtp_host" "$smtp_port"; then
  summary+=("smtp        $smtp_host:$smtp_port  (already running: used as it is)")
else
  start maildev "$smtp_port" "$web_port" -- node "$bin/maildev" --smtp "$smtp_port" --web "$web_port" --ip 127.0.0.1 --web-ip 127.0.0.1 --silent
  summary+=("smtp        $smtp_host:$smtp_port  (started: MailDev)")
  summary+=("mail        http://127.0.0.1:$web_port/  (MailDev's inbox: every email the app sends)")
fi

if [ -z "$blob_port" ]; then
  summary+=("storage     (not local: AzureWebJobsStorage used as configured)")
elif answers 127.0.0.1 "$blob_port"; then
  summary+=("storage     http://127.0.0.1:$blob_port  (already running: used as it is)")
else
  start azurite "$blob_port" "$queue_port" "$table_port" -- node "$bin/azurite" --silent --disableTelemetry --skipApiVersionCheck \
    --inMemoryPersistence --blobHost 127.0.0.1 --blobPort "$blob_port" --queueHost 127.0.0.1 --queuePort "$queue_port" \
    --tableHost 127.0.0.1 --tablePort "$table_port"
  summary+=("storage     http://127.0.0.1:$blob_port  (started: Azurite, blob/queue/table on $blob_port/$queue_port/$table_port)")
fi

summary+=("servicebus  ${servicebus:-not set}  (not started: no local Service Bus without Docker; the HTTP API works, events wait in the orders' outbox; README, \"Running locally\")")

echo "Local dependencies (everything marked started stops when this script exits):"
printf '  %s\n' "${summary[@]}"

if $deps_only; then
  [ "${#pids[@]}" -gt 0 ] || { echo "Nothing to start: every local dependency already runs."; exit 0; }
  echo "ready: press Ctrl+C to stop"
  # Until a signal arrives (the trap stops everything) or a server exits on its own.
  while true; do
    for pid in "${pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || { echo "A local dependency stopped (process $pid); stopping the others." >&2; exit 1; }
    done
    sleep 1 & wait $! || true
  done
fi

dotnet run --project functions/ServerlessBackend.Functions "$@"
