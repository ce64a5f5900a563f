#!/usr/bin/env bash
# The whole order flow against the app as `bash functions/run-local.sh --docker` runs it (CI's local-flow job; by hand
# too, in a second terminal): waits for /api/health, creates a product as an admin and places an order as a customer
# of a new tenant, then waits until the order is Confirmed (Service Bus emulator -> fulfillment) and MailDev holds its
# confirmation email (-> email function -> SMTP). Exits 0 when both happened, 1 with what was seen otherwise.
#
#   bash tests/local-flow-check.sh        API_BASE_URL (default http://localhost:7071/api), MAILDEV_URL (http://127.0.0.1:1080)
set -euo pipefail
cd "${BASH_SOURCE[0]%/*}/.."
api="${API_BASE_URL:-http://localhost:7071/api}"
mail="${MAILDEV_URL:-http://127.0.0.1:1080}"
tenant="flow-$(date +%s)"
admin="$(bash functions/dev-token.sh "$tenant" boss admin)"
alice="$(bash functions/dev-token.sh "$tenant" alice)"

# poll SECONDS DESCRIPTION COMMAND...: runs COMMAND every 2 s until it succeeds or SECONDS have passed.
poll() {
  local seconds="$1" what="$2"; shift 2
  for _ in $(seq "$((seconds / 2))"); do "$@" && return 0; sleep 2; done
  echo "timed out after ${seconds}s waiting for $what" >&2
  return 1
}
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=process.argv[1].split(".").reduce((o,k)=>o?.[k],JSON.parse(s));console.log(v??"")})' "$1"; }

poll 900 "$api/health" curl -fs -o /dev/null "$api/health"
echo "app answers on $api"

curl -fsS -X POST "$api/v1/products" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  -d '{"id":"BEANS-1KG","name":"Espresso beans","price":12.5,"currency":"EUR","availableStock":10}' >/dev/null
order="$(curl -fsS -X POST "$api/v1/orders" -H "Authorization: Bearer $alice" -H 'Content-Type: application/json' \
  -H "Idempotency-Key: local-flow-$tenant" -d '{"lines":[{"productId":"BEANS-1KG","quantity":2}]}')"
id="$(json id <<<"$order")"
echo "placed order $id (status $(json status <<<"$order"))"

status() { curl -fsS "$api/v1/orders/$id" -H "Authorization: Bearer $alice" | json status; }
confirmed() { [ "$(status)" = confirmed ]; }
poll 180 "order $id to be confirmed" confirmed || { echo "order $id is $(status)" >&2; exit 1; }
echo "order $id is confirmed"

emailed() { local inbox; inbox="$(curl -fsS "$mail/email")" && grep -q "Your order $id is confirmed" <<<"$inbox"; }
poll 120 "the confirmation email in MailDev ($mail)" emailed
echo "MailDev holds \"Your order $id is confirmed\": the whole flow works"
