#!/usr/bin/env bash
# azd preprovision hook (azure.yaml): what Bicep cannot create, created or brought up to date before each provision,
# with the Azure CLI signed in as the operator (az login, same directory as azd). Idempotent: a second run finds
# everything and creates nothing. infra/README.md, "What azd up creates", lists each step and the permissions it needs.
#   1. The API's app registration serverless-backend-api-<env> (or the one AUTH_CLIENT_ID names): App ID URI
#      api://<client id>, v2.0 access tokens, sign-in audience by AUTH_TENANCY (directory: any work or school directory;
#      claim: this directory only), the app roles admin and operator, the delegated scope access_as_user pre-authorized
#      for the Azure CLI (az account get-access-token --scope api://<client id>/access_as_user), the optional access
#      token claims email and idtyp; its service principal; the operator role for the signed-in user.
#   2. The SMTP relay's app registration serverless-backend-smtp-<env> and its service principal (infra/README.md, "Email relay").
#   3. azd environment values main.parameters.json reads: AUTH_CLIENT_ID, AUTH_TENANCY, AZURE_PRINCIPAL_TYPE,
#      EMAIL_SMTP_ENTRA_APPLICATION_ID, EMAIL_SMTP_SERVICE_PRINCIPAL_ID.
# Run by a service principal (the deploy workflow), it changes nothing in the directory: the values must be there already.
set -euo pipefail

AZURE_CLI_APP_ID=04b07795-8ddb-461a-bbee-02f9e1bf7b46
GRAPH=https://graph.microsoft.com/v1.0

env_set() { azd env set "$1" "$2" >/dev/null; }
new_id() { cat /proc/sys/kernel/random/uuid 2>/dev/null || uuidgen | tr '[:upper:]' '[:lower:]'; }
say() { printf '%s\n' "$*" >&2; }

ENV_NAME="${AZURE_ENV_NAME:?AZURE_ENV_NAME is not set: run through azd (azd up / azd provision)}"
TENANCY="${AUTH_TENANCY:-directory}"
case "$TENANCY" in
  directory) AUDIENCE=AzureADMultipleOrgs ;;
  claim) AUDIENCE=AzureADMyOrg ;;
  *) say "AUTH_TENANCY must be directory or claim, not '$TENANCY'."; exit 1 ;;
esac

if ! USER_ID="$(az ad signed-in-user show --query id -o tsv 2>/dev/null)" || [ -z "$USER_ID" ]; then
  # A pipeline's service principal: no directory changes; what the first azd up created must be in the environment.
  env_set AZURE_PRINCIPAL_TYPE ServicePrincipal
  for name in AUTH_CLIENT_ID; do
    if [ -z "${!name:-}" ]; then
      say "$name is not set. Run 'azd up' once signed in as a user (it creates the app registrations), then 'azd pipeline config'."
      exit 1
    fi
  done
  say "preprovision: signed in as a service principal; using AUTH_CLIENT_ID ${AUTH_CLIENT_ID} as it is."
  exit 0
fi
env_set AZURE_PRINCIPAL_TYPE User

# The application with this client id, else the one with this display name, else a new one; prints its client id.
ensure_app() {
  local name="$1" client_id="$2" audience="$3"
  if [ -n "$client_id" ]; then
    if ! az ad app show --id "$client_id" --query appId -o tsv >/dev/null 2>&1; then
      say "The app registration $client_id (from the azd environment) is not in this directory: sign in to its directory, or unset the value."
      return 1
    fi
  else
    client_id="$(az ad app list --display-name "$name" --query "[0].appId" -o tsv)"
  fi
  if [ -z "$client_id" ]; then
    client_id="$(az ad app create --display-name "$name" --sign-in-audience "$audience" --query appId -o tsv)"
    say "Created the app registration $name ($client_id)."
  fi
  printf '%s' "$client_id"
}

# The object id of the application's service principal, created when missing.
ensure_sp() {
  local client_id="$1" sp
  sp="$(az ad sp show --id "$client_id" --query id -o tsv 2>/dev/null || true)"
  if [ -z "$sp" ]; then
    sp="$(az ad sp create --id "$client_id" --query id -o tsv)"
    say "Created the service principal of $client_id."
  fi
  printf '%s' "$sp"
}

# The id the app already gives this role or scope value (ids never change once given), else a new one.
existing_id() {
  local client_id="$1" collection="$2" value="$3" id
  id="$(az ad app show --id "$client_id" --query "$collection[?value=='$value'].id | [0]" -o tsv)"
  [ -n "$id" ] && printf '%s' "$id" || new_id
}

API_NAME="serverless-backend-api-$ENV_NAME"
API_ID="$(ensure_app "$API_NAME" "${AUTH_CLIENT_ID:-}" "$AUDIENCE")"
API_OBJECT="$(az ad app show --id "$API_ID" --query id -o tsv)"
ADMIN_ROLE="$(existing_id "$API_ID" appRoles admin)"
OPERATOR_ROLE="$(existing_id "$API_ID" appRoles operator)"
SCOPE="$(existing_id "$API_ID" api.oauth2PermissionScopes access_as_user)"
# Other roles the operator added (e.g. shop:<id> roles in the claim tenancy model) are kept as they are.
OTHER_ROLES="$(az ad app show --id "$API_ID" --query "appRoles[?value!='admin' && value!='operator']" -o json)"
OTHER_ROLES="$(printf '%s' "$OTHER_ROLES" | tr -d '\n' | sed -e 's/^[[:space:]]*\[//' -e 's/\][[:space:]]*$//')"
case "$OTHER_ROLES" in *[![:space:]]*) OTHER_ROLES=",$OTHER_ROLES" ;; *) OTHER_ROLES="" ;; esac

BODY="$(mktemp)"
trap 'rm -f "$BODY"' EXIT
api_json() {
  # $1: the pre-authorized applications (the scope must exist before one can be pre-authorized for it).
  cat <<JSON
{
  "signInAudience": "$AUDIENCE",
  "identifierUris": ["api://$API_ID"],
  "api": {
    "requestedAccessTokenVersion": 2,
    "oauth2PermissionScopes": [{
      "id": "$SCOPE", "value": "access_as_user", "type": "User", "isEnabled": true,
      "adminConsentDisplayName": "Use the shop API as the signed-in user",
      "adminConsentDescription": "Lets the app call the shop API as the signed-in user (their shop's catalog and orders).",
      "userConsentDisplayName": "Use the shop as you",
      "userConsentDescription": "Lets the app call the shop API as you."
    }],
    "preAuthorizedApplications": $1
  },
  "appRoles": [
    {"id": "$ADMIN_ROLE", "value": "admin", "displayName": "Shop administrator", "isEnabled": true,
     "description": "Manages the shop's catalog and sees all its orders.", "allowedMemberTypes": ["User", "Application"]},
    {"id": "$OPERATOR_ROLE", "value": "operator", "displayName": "Platform operator", "isEnabled": true,
     "description": "Onboards and suspends tenants; counts only in the operator's own directory.", "allowedMemberTypes": ["User", "Application"]}$OTHER_ROLES
  ],
  "optionalClaims": {"accessToken": [{"name": "email", "essential": false}, {"name": "idtyp", "essential": false}]}
}
JSON
}
api_json "[]" > "$BODY"
az rest --method PATCH --uri "$GRAPH/applications/$API_OBJECT" --headers Content-Type=application/json --body "@$BODY" >/dev/null
api_json "[{\"appId\": \"$AZURE_CLI_APP_ID\", \"delegatedPermissionIds\": [\"$SCOPE\"]}]" > "$BODY"
az rest --method PATCH --uri "$GRAPH/applications/$API_OBJECT" --headers Content-Type=application/json --body "@$BODY" >/dev/null
API_SP="$(ensure_sp "$API_ID")"

# The signed-in user operates the platform: the operator role (onboarding tenants through the API).
assigned="$(az rest --method GET --uri "$GRAPH/servicePrincipals/$API_SP/appRoleAssignedTo" \
  --query "length(value[?principalId=='$USER_ID' && appRoleId=='$OPERATOR_ROLE'])" -o tsv)"
if [ "$assigned" = "0" ]; then
  printf '{"principalId": "%s", "resourceId": "%s", "appRoleId": "%s"}' "$USER_ID" "$API_SP" "$OPERATOR_ROLE" > "$BODY"
  az rest --method POST --uri "$GRAPH/servicePrincipals/$API_SP/appRoleAssignedTo" --headers Content-Type=application/json --body "@$BODY" >/dev/null
  say "Gave you the operator role of $API_NAME."
fi

SMTP_ID="$(ensure_app "serverless-backend-smtp-$ENV_NAME" "${EMAIL_SMTP_ENTRA_APPLICATION_ID:-}" AzureADMyOrg)"
SMTP_SP="$(ensure_sp "$SMTP_ID")"

env_set AUTH_CLIENT_ID "$API_ID"
env_set AUTH_TENANCY "$TENANCY"
env_set EMAIL_SMTP_ENTRA_APPLICATION_ID "$SMTP_ID"
env_set EMAIL_SMTP_SERVICE_PRINCIPAL_ID "$SMTP_SP"
say "preprovision: API app $API_ID ($TENANCY tenancy), SMTP app $SMTP_ID."
