# azd preprovision hook on Windows (azure.yaml): the same steps as preprovision.sh, which documents them. Idempotent.
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$AzureCliAppId = '04b07795-8ddb-461a-bbee-02f9e1bf7b46'
$Graph = 'https://graph.microsoft.com/v1.0'

function Set-AzdValue([string]$Name, [string]$Value) { azd env set $Name $Value | Out-Null; if ($LASTEXITCODE) { throw "azd env set $Name failed" } }
function Invoke-Az { $out = & az @args 2>$null; if ($LASTEXITCODE) { return $null }; return ($out -join "`n").Trim() }
function Invoke-AzOrThrow { $out = & az @args; if ($LASTEXITCODE) { throw "az $($args -join ' ') failed" }; return ($out -join "`n").Trim() }

$envName = $env:AZURE_ENV_NAME
if (-not $envName) { throw 'AZURE_ENV_NAME is not set: run through azd (azd up / azd provision)' }
$tenancy = if ($env:AUTH_TENANCY) { $env:AUTH_TENANCY } else { 'directory' }
$audience = switch ($tenancy) { 'directory' { 'AzureADMultipleOrgs' } 'claim' { 'AzureADMyOrg' } default { throw "AUTH_TENANCY must be directory or claim, not '$tenancy'." } }

$userId = Invoke-Az ad signed-in-user show --query id -o tsv
if (-not $userId) {
  Set-AzdValue AZURE_PRINCIPAL_TYPE ServicePrincipal
  if (-not $env:AUTH_CLIENT_ID) { throw "AUTH_CLIENT_ID is not set. Run 'azd up' once signed in as a user (it creates the app registrations), then 'azd pipeline config'." }
  Write-Host "preprovision: signed in as a service principal; using AUTH_CLIENT_ID $($env:AUTH_CLIENT_ID) as it is."
  exit 0
}
Set-AzdValue AZURE_PRINCIPAL_TYPE User

function Get-App([string]$Name, [string]$ClientId, [string]$SignInAudience) {
  if ($ClientId) {
    if (-not (Invoke-Az ad app show --id $ClientId --query appId -o tsv)) { throw "The app registration $ClientId (from the azd environment) is not in this directory." }
  } else {
    $ClientId = Invoke-AzOrThrow ad app list --display-name $Name --query '[0].appId' -o tsv
  }
  if (-not $ClientId) {
    $ClientId = Invoke-AzOrThrow ad app create --display-name $Name --sign-in-audience $SignInAudience --query appId -o tsv
    Write-Host "Created the app registration $Name ($ClientId)."
  }
  return $ClientId
}

function Get-ServicePrincipal([string]$ClientId) {
  $sp = Invoke-Az ad sp show --id $ClientId --query id -o tsv
  if (-not $sp) { $sp = Invoke-AzOrThrow ad sp create --id $ClientId --query id -o tsv; Write-Host "Created the service principal of $ClientId." }
  return $sp
}

function Get-ExistingId([string]$ClientId, [string]$Collection, [string]$Value) {
  $id = Invoke-AzOrThrow ad app show --id $ClientId --query "$Collection[?value=='$Value'].id | [0]" -o tsv
  if ($id) { return $id } else { return [guid]::NewGuid().ToString() }
}

$apiName = "serverless-backend-api-$envName"
$apiId = Get-App $apiName $env:AUTH_CLIENT_ID $audience
$apiObject = Invoke-AzOrThrow ad app show --id $apiId --query id -o tsv
$adminRole = Get-ExistingId $apiId appRoles admin
$operatorRole = Get-ExistingId $apiId appRoles operator
$scope = Get-ExistingId $apiId api.oauth2PermissionScopes access_as_user
$otherRoles = @(Invoke-AzOrThrow ad app show --id $apiId --query "appRoles[?value!='admin' && value!='operator']" -o json | ConvertFrom-Json)

$body = New-TemporaryFile
try {
  function Write-ApiBody($PreAuthorized) {
    @{
      signInAudience = $audience
      identifierUris = @("api://$apiId")
      api = @{
        requestedAccessTokenVersion = 2
        oauth2PermissionScopes = @(@{
          id = $scope; value = 'access_as_user'; type = 'User'; isEnabled = $true
          adminConsentDisplayName = 'Use the shop API as the signed-in user'
          adminConsentDescription = "Lets the app call the shop API as the signed-in user (their shop's catalog and orders)."
          userConsentDisplayName = 'Use the shop as you'
          userConsentDescription = 'Lets the app call the shop API as you.'
        })
        preAuthorizedApplications = @($PreAuthorized)
      }
      appRoles = @(
        @{ id = $adminRole; value = 'admin'; displayName = 'Shop administrator'; isEnabled = $true
           description = "Manages the shop's catalog and sees all its orders."; allowedMemberTypes = @('User', 'Application') },
        @{ id = $operatorRole; value = 'operator'; displayName = 'Platform operator'; isEnabled = $true
           description = "Onboards and suspends tenants; counts only in the operator's own directory."; allowedMemberTypes = @('User', 'Application') }
      ) + $otherRoles
      optionalClaims = @{ accessToken = @(@{ name = 'email'; essential = $false }, @{ name = 'idtyp'; essential = $false }) }
    } | ConvertTo-Json -Depth 10 | Set-Content -Path $body -Encoding utf8NoBOM
  }
  Write-ApiBody @()
  Invoke-AzOrThrow rest --method PATCH --uri "$Graph/applications/$apiObject" --headers Content-Type=application/json --body "@$body" | Out-Null
  Write-ApiBody @(@{ appId = $AzureCliAppId; delegatedPermissionIds = @($scope) })
  Invoke-AzOrThrow rest --method PATCH --uri "$Graph/applications/$apiObject" --headers Content-Type=application/json --body "@$body" | Out-Null
  $apiSp = Get-ServicePrincipal $apiId

  $assigned = Invoke-AzOrThrow rest --method GET --uri "$Graph/servicePrincipals/$apiSp/appRoleAssignedTo" --query "length(value[?principalId=='$userId' && appRoleId=='$operatorRole'])" -o tsv
  if ($assigned -eq '0') {
    @{ principalId = $userId; resourceId = $apiSp; appRoleId = $operatorRole } | ConvertTo-Json | Set-Content -Path $body -Encoding utf8NoBOM
    Invoke-AzOrThrow rest --method POST --uri "$Graph/servicePrincipals/$apiSp/appRoleAssignedTo" --headers Content-Type=application/json --body "@$body" | Out-Null
    Write-Host "Gave you the operator role of $apiName."
  }
} finally {
  Remove-Item $body -ErrorAction SilentlyContinue
}

$smtpId = Get-App "serverless-backend-smtp-$envName" $env:EMAIL_SMTP_ENTRA_APPLICATION_ID AzureADMyOrg
$smtpSp = Get-ServicePrincipal $smtpId

Set-AzdValue AUTH_CLIENT_ID $apiId
Set-AzdValue AUTH_TENANCY $tenancy
Set-AzdValue EMAIL_SMTP_ENTRA_APPLICATION_ID $smtpId
Set-AzdValue EMAIL_SMTP_SERVICE_PRINCIPAL_ID $smtpSp
Write-Host "preprovision: API app $apiId ($tenancy tenancy), SMTP app $smtpId."
