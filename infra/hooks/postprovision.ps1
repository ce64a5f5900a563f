# azd postprovision hook on Windows (azure.yaml): the same steps as postprovision.sh, which documents them. Idempotent;
# secret values never go on a command line (a file only the current user reads) nor into the azd environment.
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$vault = $env:KEY_VAULT_NAME
if (-not $vault) { throw 'KEY_VAULT_NAME is not set: run through azd after provisioning' }
$secretFile = New-TemporaryFile
$script:stored = $false

function Test-Secret([string]$Name) { & az keyvault secret show --vault-name $vault --name $Name --query id -o tsv 2>$null | Out-Null; return -not $LASTEXITCODE }

function Set-Secret([string]$Name, [string]$Value) {
  [IO.File]::WriteAllText($secretFile, $Value)
  & az keyvault secret set --vault-name $vault --name $Name --file $secretFile --encoding utf-8 --query id -o tsv | Out-Null
  if ($LASTEXITCODE) { throw "Storing $Name failed" }
  [IO.File]::WriteAllText($secretFile, '')
  $script:stored = $true
  Write-Host "Stored $Name in $vault."
}

function Request-Secret([string]$Name, [string]$Variable, [string]$Prompt, [string]$Pattern) {
  $value = [Environment]::GetEnvironmentVariable($Variable)
  if (-not $value) {
    if ([Console]::IsInputRedirected) {
      # Piped input (a script feeding azd): one line, never echoed.
      [Console]::Error.Write("${Prompt}: ")
      $value = [Console]::In.ReadLine()
      [Console]::Error.WriteLine()
    } else {
      $value = [Net.NetworkCredential]::new('', (Read-Host -Prompt $Prompt -AsSecureString)).Password
    }
    if (-not $value) { throw "No value for ${Name}: set $Variable (or run azd up in a terminal), or set PAYMENTS_PROVIDER=local for a test environment." }
  }
  if ($value -notlike $Pattern) { throw "$Variable does not look right (expected $Pattern)." }
  Set-Secret $Name $value
}

try {
  if (-not (Test-Secret email-smtp-password)) {
    if ($env:EMAIL_SMTP_ENTRA_APPLICATION_ID -and ($env:AZURE_PRINCIPAL_TYPE -ne 'ServicePrincipal')) {
      $password = & az ad app credential reset --id $env:EMAIL_SMTP_ENTRA_APPLICATION_ID --append --display-name acs-smtp --years 2 --query password -o tsv
      if ($LASTEXITCODE) { throw 'Creating the SMTP secret failed' }
      Set-Secret email-smtp-password $password
      Remove-Variable password
    } else {
      Write-Host "email-smtp-password is not in ${vault}: emails fail until it is (infra/README.md, `"Email relay`")."
    }
  }

  if ($env:PAYMENTS_PROVIDER -ne 'local') {
    if (-not (Test-Secret stripe-secret-key)) {
      Request-Secret stripe-secret-key STRIPE_SECRET_KEY 'Stripe secret key (sk_test_..., sk_live_... or a restricted rk_...)' '[sr]k_*'
    }
    if (-not (Test-Secret stripe-webhook-secret)) {
      Write-Host "Create a Stripe webhook endpoint (Dashboard, Developers, Webhooks) for $($env:API_BASE_URL)/v1/payments/stripe/webhook"
      Write-Host 'with the events payment_intent.amount_capturable_updated, payment_intent.payment_failed, payment_intent.canceled'
      Write-Host 'and payment_intent.requires_action, then paste its signing secret.'
      Request-Secret stripe-webhook-secret STRIPE_WEBHOOK_SECRET 'Stripe webhook signing secret (whsec_...)' 'whsec_*'
    }
  }

  if ($script:stored -and $env:AZURE_FUNCTION_APP_NAME) {
    & az functionapp restart --name $env:AZURE_FUNCTION_APP_NAME --resource-group $env:AZURE_RESOURCE_GROUP | Out-Null
    Write-Host "Restarted $($env:AZURE_FUNCTION_APP_NAME) so it reads the new secrets."
  }
} finally {
  Remove-Item $secretFile -ErrorAction SilentlyContinue
}
