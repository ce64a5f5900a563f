#!/usr/bin/env bash
# Runs the app locally: for each local dependency named in local.settings.json that nothing answers yet, starts one on
# 127.0.0.1, prints what runs where, then runs the Functions host through `dotnet run` (which runs `func start` in the
# build output). When a Docker engine answers, Cosmos DB, Service Bus and host storage are the emulators and Azurite
# from tests/ServerlessBackend.IntegrationTests/Emulators/compose.yaml, so the whole order flow runs (the host gets the Service
# Bus emulator's connection string as `ServiceBus`); without Docker, Cosmos is the Cosmos protocol server the tests use,
# storage is Azurite from tests/tools, and there is no Service Bus. SMTP is MailDev from tests/tools either way, and
# telemetry (OTEL_EXPORTER_OTLP_ENDPOINT) goes to the .NET Aspire dashboard, installed from NuGet by
# tests/tools/aspire-dashboard. A dependency that already answers is used as it is. Everything this script started stops when it exits (Ctrl+C).
# README, "Running locally".
#
#   bash functions/run-local.sh [--docker | --no-docker] [--deps-only] [arguments for func start]
#     --docker      require Docker (exit with what is missing when no engine answers)
#     --no-docker   never use Docker, even when it answers
#     --deps-only   start the dependencies only, print their endpoints, wait (no func needed)
#
# Ports come from the settings file: local.settings.json (copied from local.settings.sample.json when missing), or the
# file named by LOCAL_SETTINGS. MAILDEV_WEB_PORT (default 1080) is where MailDev shows the mail it received, and
# DASHBOARD_PORT (default 18888) where the Aspire dashboard shows traces, metrics and logs.
set -euo pipefail
cd "${BASH_SOURCE[0]%/*}/.."

deps_only=false
docker_mode=auto
while [ $# -gt 0 ]; do
  case "$1" in
    --deps-only) deps_only=true ;;
    --docker) docker_mode=required ;;
    --no-docker) docker_mode=never ;;
    *) break ;;
  esac
  shift
done

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
  servicebus: v.ServiceBus || v.ServiceBus__fullyQualifiedNamespace || "",
  servicebus_host: v.ServiceBus ? new URL((/Endpoint=([^;]+)/i.exec(v.ServiceBus) || [, "sb://unknown"])[1]).hostname
    : (v.ServiceBus__fullyQualifiedNamespace || ""),
  servicebus_port: (v.ServiceBus && new URL((/Endpoint=([^;]+)/i.exec(v.ServiceBus) || [, "sb://unknown"])[1]).port) || "5672",
  servicebus_from_settings: v.ServiceBus ? "true" : "false",
  otlp_endpoint: v.OTEL_EXPORTER_OTLP_ENDPOINT || "",
  otlp_host: v.OTEL_EXPORTER_OTLP_ENDPOINT ? new URL(v.OTEL_EXPORTER_OTLP_ENDPOINT).hostname : "",
  otlp_port: v.OTEL_EXPORTER_OTLP_ENDPOINT ? new URL(v.OTEL_EXPORTER_OTLP_ENDPOINT).port || "4317" : "",
};
for (const [k, val] of Object.entries(out)) console.log(`${k}='"'"'${val.replaceAll("'"'"'", "")}'"'"'`);
')"
web_port="${MAILDEV_WEB_PORT:-1080}"
dashboard_port="${DASHBOARD_PORT:-18888}"

is_loopback() { [ "$1" = 127.0.0.1 ] || [ "$1" = localhost ]; }
answers() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
# http_answers URL [STATUS]: URL answers over HTTP(S), with STATUS when given (a self-signed certificate is fine: this
# only ever asks a local server). Docker publishes a port before the server inside listens, so a TCP answer is not enough.
http_answers() {
  node -e 'const [url, want] = process.argv.slice(1), u = new URL(url);
    require(u.protocol === "https:" ? "https" : "http").get(u, { rejectUnauthorized: false, timeout: 3000 }, r => process.exit(!want || String(r.statusCode) === want ? 0 : 1))
      .on("error", () => process.exit(1)).on("timeout", () => process.exit(1));' "$@"
}

# Docker: decided once, with the reason when it is not used (printed in the summary, or the error with --docker).
use_docker=false
docker_missing=""
if [ "$docker_mode" != never ]; then
  if ! command -v docker >/dev/null; then docker_missing="the docker command is not installed"
  elif ! docker info >/dev/null 2>&1; then docker_missing="no Docker engine answers (docker info failed)"
  elif ! docker compose version >/dev/null 2>&1; then docker_missing="the Docker Compose plugin is missing (docker compose version failed)"
  else use_docker=true
  fi
  if [ "$docker_mode" = required ] && ! $use_docker; then
    echo "--docker: $docker_missing. Install and start Docker (with Compose), or run without --docker." >&2
    exit 1
  fi
else
  docker_missing="--no-docker"
fi
compose_file=tests/ServerlessBackend.IntegrationTests/Emulators/compose.yaml
compose() { docker compose --project-name serverless-backend-local --file "$compose_file" "$@"; }
compose_services=()

pids=()
logs="$(mktemp -d)"
compose_started=false
cleanup() {
  for pid in ${pids[@]+"${pids[@]}"}; do kill "$pid" 2>/dev/null || true; done
  for pid in ${pids[@]+"${pids[@]}"}; do wait "$pid" 2>/dev/null || true; done
  pids=()
  if $compose_started; then
    compose_started=false
    echo "Removing the containers this script started..." >&2
    compose down --volumes >"$logs/compose-down.log" 2>&1 || cat "$logs/compose-down.log" >&2
  fi
  rm -rf "$logs"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME PORT... -- COMMAND...: runs COMMAND in the background and waits until it listens on every PORT. A PORT that
# already answers belongs to another process (the callers checked the main one), so the server would not be what answers.
start() {
  local name="$1" ports=() ; shift
  while [ "$1" != "--" ]; do ports+=("$1"); shift; done; shift
  for port in "${ports[@]}"; do
    if answers 127.0.0.1 "$port"; then
      echo "$name needs 127.0.0.1:$port, which another process already listens on: stop it, or choose another port (the settings file for the dependencies, MAILDEV_WEB_PORT for MailDev's inbox, DASHBOARD_PORT for the Aspire dashboard)." >&2
      exit 1
    fi
  done
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
  if $use_docker; then
    compose_services+=(cosmos)
    summary+=("cosmos      $cosmos_endpoint  (started: Cosmos DB emulator in Docker, in memory)")
  else
    start cosmos "$cosmos_port" -- node tests/tools/cosmosdb-server.js --host 127.0.0.1 --port "$cosmos_port" --serve-query-plans
    summary+=("cosmos      $cosmos_endpoint  (started: Cosmos protocol server from tests/tools, in memory: README, 'Running locally')")
  fi
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
elif $use_docker; then
  compose_services+=(azurite)
  summary+=("storage     http://127.0.0.1:$blob_port  (started: Azurite in Docker, blob/queue/table on $blob_port/$queue_port/$table_port)")
else
  start azurite "$blob_port" "$queue_port" "$table_port" -- node "$bin/azurite" --silent --disableTelemetry --skipApiVersionCheck \
    --inMemoryPersistence --blobHost 127.0.0.1 --blobPort "$blob_port" --queueHost 127.0.0.1 --queuePort "$queue_port" \
    --tableHost 127.0.0.1 --tablePort "$table_port"
  summary+=("storage     http://127.0.0.1:$blob_port  (started: Azurite, blob/queue/table on $blob_port/$queue_port/$table_port)")
fi

# Telemetry: the .NET Aspire dashboard receives OTLP/gRPC on the settings' port and shows it on dashboard_port. Without
# sign-in (loopback only: both listen on 127.0.0.1). The app and the host export to it through OTEL_EXPORTER_OTLP_ENDPOINT.
if [ -z "$otlp_endpoint" ]; then
  summary+=("telemetry   not set  (no OTEL_EXPORTER_OTLP_ENDPOINT: nothing exported locally)")
elif ! is_loopback "$otlp_host"; then
  summary+=("telemetry   $otlp_endpoint  (not local: used as configured)")
elif answers 127.0.0.1 "$otlp_port"; then
  summary+=("telemetry   $otlp_endpoint  (already running, e.g. an Aspire dashboard: used as it is)")
elif ! dotnet restore tests/tools/aspire-dashboard -v q >"$logs/dashboard-restore.log" 2>&1; then
  # Telemetry is optional: without the package (a first run offline) the app runs, and its exporter finds no one.
  echo "warning: the Aspire dashboard package could not be restored:" >&2; cat "$logs/dashboard-restore.log" >&2
  summary+=("telemetry   $otlp_endpoint  (not started: the Aspire dashboard package could not be restored, see the warning above; rerun online once)")
else
  dashboard="$(dotnet msbuild tests/tools/aspire-dashboard -getProperty:DashboardPath)"
  [ -x "$dashboard" ] || chmod +x "$dashboard"
  start dashboard "$otlp_port" "$dashboard_port" -- env ASPNETCORE_URLS="http://127.0.0.1:$dashboard_port" \
    DOTNET_DASHBOARD_OTLP_ENDPOINT_URL="http://127.0.0.1:$otlp_port" DASHBOARD__FRONTEND__AUTHMODE=Unsecured \
    DASHBOARD__OTLP__AUTHMODE=Unsecured DASHBOARD__API__AUTHMODE=Unsecured "$dashboard"
  summary+=("telemetry   $otlp_endpoint  (started: .NET Aspire dashboard, OTLP/gRPC)")
  summary+=("dashboard   http://127.0.0.1:$dashboard_port/  (the Aspire dashboard: each request's trace, the app's metrics and logs)")
fi

# Service Bus: only the emulator runs locally, and only in Docker. The host and the app get its connection string as
# `ServiceBus` (that value wins over ServiceBus__fullyQualifiedNamespace) unless the settings name a connection string.
emulator_connection="Endpoint=sb://localhost:$servicebus_port;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;"
if [ -n "$servicebus_host" ] && ! is_loopback "$servicebus_host"; then
  summary+=("servicebus  $servicebus_host  (not local: used as configured)")
elif ! $use_docker && ! answers 127.0.0.1 "$servicebus_port"; then
  summary+=("servicebus  ${servicebus:-not set}  (not started: $docker_missing, and the Service Bus emulator needs Docker; the HTTP API works, events wait in the orders' outbox, orders stay Pending; README, \"Running locally\")")
else
  if answers 127.0.0.1 "$servicebus_port"; then
    summary+=("servicebus  $emulator_connection  (already running on $servicebus_port, e.g. the Service Bus emulator: used as it is)")
  else
    compose_services+=(servicebus)
    summary+=("servicebus  $emulator_connection  (started: Service Bus emulator in Docker with the app's topology, and its SQL Server)")
  fi
  if [ "$servicebus_from_settings" != true ]; then export ServiceBus="$emulator_connection"; fi
  if [ "${UseServiceBusStandIn:-}" = true ]; then
    echo "warning: UseServiceBusStandIn=true is set: a stand-in build cannot run the Service Bus functions in the host; unset it for the whole flow (README, \"Service Bus build switch\")." >&2
  fi
fi

if [ "${#compose_services[@]}" -gt 0 ]; then
  # A throwaway password for the emulator's SQL Server, only ever inside the compose project; never printed.
  SQL_PASSWORD="Sb-$(node -e 'process.stdout.write(require("crypto").randomBytes(12).toString("hex"))')-aA1!"
  export SQL_PASSWORD COSMOS_PORT="$cosmos_port" BLOB_PORT="$blob_port" QUEUE_PORT="$queue_port" TABLE_PORT="$table_port" SERVICEBUS_PORT="$servicebus_port"
  echo "Starting in Docker: ${compose_services[*]} (the first run pulls the images; the Cosmos DB emulator takes a minute or two to start)..."
  compose_started=true
  compose up --detach "${compose_services[@]}" >"$logs/compose-up.log" 2>&1 || { cat "$logs/compose-up.log" >&2; exit 1; }
  # wait_for SERVICE SECONDS COMMAND...: until COMMAND succeeds; after SECONDS shows the service's log and exits.
  wait_for() {
    local service="$1" deadline=$((SECONDS + $2)); shift 2
    until "$@"; do
      if [ "$SECONDS" -ge "$deadline" ]; then
        echo "$service did not get ready in time:" >&2; compose logs --tail 50 "$service" >&2 || true; exit 1
      fi
      sleep 1
    done
  }
  service_bus_up() { compose logs servicebus 2>&1 | grep -q "Emulator Service is Successfully Up"; }
  for service in "${compose_services[@]}"; do
    case "$service" in
      cosmos) wait_for cosmos 600 http_answers "https://127.0.0.1:$cosmos_port/_explorer/emulator.pem" 200 ;;
      azurite) wait_for azurite 120 http_answers "http://127.0.0.1:$blob_port/" ;;
      servicebus) wait_for servicebus 300 service_bus_up ;;
    esac
  done
fi

echo "Local dependencies (everything marked started stops when this script exits):"
printf '  %s\n' "${summary[@]}"

if $deps_only; then
  [ "${#pids[@]}" -gt 0 ] || $compose_started || { echo "Nothing to start: every local dependency already runs."; exit 0; }
  echo "ready: press Ctrl+C to stop"
  # Until a signal arrives (the trap stops everything) or a server exits on its own.
  while true; do
    for pid in ${pids[@]+"${pids[@]}"}; do
      kill -0 "$pid" 2>/dev/null || { echo "A local dependency stopped (process $pid); stopping the others." >&2; exit 1; }
    done
    sleep 1 & wait $! || true
  done
fi

dotnet run --project functions/ServerlessBackend.Functions "$@"
