#!/usr/bin/env bash
# azd postprovision hook (azure.yaml): the secrets only the operator can give, straight into the app's Key Vault (the
# deployer has Key Vault Secrets Officer on it through main.bicep's principalId), each only when the vault lacks it:
#   - email-smtp-password: a client secret of the SMTP relay's app registration (made here with az ad app credential
#     reset --append, so a rerun never rotates it);
#   - stripe-secret-key and stripe-webhook-secret, unless PAYMENTS_PROVIDER is local: from STRIPE_SECRET_KEY and
#     STRIPE_WEBHOOK_SECRET when set, else asked for on the terminal (input hidden).
# Values never appear on a command line (they go through a file only the current user can read) nor in the azd
# environment. When a secret was stored the Function App restarts, so its Key Vault references resolve.
set -euo pipefail

say() { printf '%s\n' "$*" >&2; }
VAULT="${KEY_VAULT_NAME:?KEY_VAULT_NAME is not set: run through azd after provisioning}"
SECRET_FILE="$(mktemp)"
chmod 600 "$SECRET_FILE"
trap 'rm -f "$SECRET_FILE"' EXIT
stored=0

has_secret() { az keyvault secret show --vault-name "$VAULT" --name "$1" --query id -o tsv >/dev/null 2>&1; }

store_secret() {
  printf '%s' "$2" > "$SECRET_FILE"
  az keyvault secret set --vault-name "$VAULT" --name "$1" --file "$SECRET_FILE" --encoding utf-8 --query id -o tsv >/dev/null
  : > "$SECRET_FILE"
  stored=1
  say "Stored $1 in $VAULT."
}

# $1 secret name, $2 environment variable, $3 prompt, $4 required prefix pattern (case glob)
ask_secret() {
  local value="${!2:-}"
  if [ -z "$value" ]; then
    printf '%s: ' "$3" >&2
    if ! IFS= read -rs value || [ -z "$value" ]; then
      say ""
      say "No value for $1: set $2 (or run azd up in a terminal), or set PAYMENTS_PROVIDER=local for a test environment."
      exit 1
    fi
    say ""
  fi
  # shellcheck disable=SC2254
  case "$value" in
    $4) store_secret "$1" "$value" ;;
    *) say "$2 does not look right (expected $4)."; exit 1 ;;
  esac
}

if ! has_secret email-smtp-password; then
  if [ -n "${EMAIL_SMTP_ENTRA_APPLICATION_ID:-}" ] && [ "${AZURE_PRINCIPAL_TYPE:-User}" = User ]; then
    password="$(az ad app credential reset --id "$EMAIL_SMTP_ENTRA_APPLICATION_ID" --append --display-name acs-smtp --years 2 --query password -o tsv)"
    store_secret email-smtp-password "$password"
    unset password
  else
    say "email-smtp-password is not in $VAULT: emails fail until it is (infra/README.md, \"Email relay\")."
  fi
fi

if [ "${PAYMENTS_PROVIDER:-stripe}" != local ]; then
  if ! has_secret stripe-secret-key; then
    ask_secret stripe-secret-key STRIPE_SECRET_KEY "Stripe secret key (sk_test_..., sk_live_... or a restricted rk_...)" "[sr]k_*"
  fi
  if ! has_secret stripe-webhook-secret; then
    say "Create a Stripe webhook endpoint (Dashboard, Developers, Webhooks) for ${API_BASE_URL:-<API_BASE_URL>}/v1/payments/stripe/webhook"
    say "with the events payment_intent.amount_capturable_updated, payment_intent.payment_failed, payment_intent.canceled"
    say "and payment_intent.requires_action, then paste its signing secret."
    ask_secret stripe-webhook-secret STRIPE_WEBHOOK_SECRET "Stripe webhook signing secret (whsec_...)" "whsec_*"
  fi
fi

if [ "$stored" = 1 ] && [ -n "${AZURE_FUNCTION_APP_NAME:-}" ]; then
  az functionapp restart --name "$AZURE_FUNCTION_APP_NAME" --resource-group "$AZURE_RESOURCE_GROUP" >/dev/null
  say "Restarted $AZURE_FUNCTION_APP_NAME so it reads the new secrets."
fi
