targetScope = 'subscription'

metadata description = 'ServerlessBackend: the Functions app and everything it needs, identity-only (no keys, no connection strings).'

@minLength(1)
@maxLength(64)
@description('azd environment name: part of the resource group name and the azd-env-name tag.')
param environmentName string

@minLength(1)
@description('Region for every regional resource. Must offer Flex Consumption.')
param location string

@minLength(1)
@description('Client id of the API\'s Entra app registration (the preprovision hook creates it and sets AUTH_CLIENT_ID). Its App ID URI is api://<client id>; tokens for either are accepted.')
param authClientId string

@allowed([
  'directory'
  'claim'
])
@description('Tenancy model: directory (B2B SaaS: a multi-tenant app, each customer organisation\'s Entra directory is one tenant, tid) or claim (one directory for every customer, the shop in authTenantClaim).')
param authTenancy string = 'directory'

@description('Claim naming the shop tenant when authTenancy is claim (e.g. roles with authTenantClaimPrefix shop:, or a custom claim).')
param authTenantClaim string = 'tid'

@description('Prefix of the tenant claim\'s value that names the shop (e.g. shop: for app roles shop:<id>); empty: the whole value.')
param authTenantClaimPrefix string = ''

@description('Another OpenID Connect authority (e.g. External ID: https://<tenant>.ciamlogin.com/<tenant id>/v2.0); empty: Entra ID\'s for the tenancy model.')
param authAuthority string = ''

@description('Object id of the principal running the deployment (azd sets AZURE_PRINCIPAL_ID): it gets Key Vault Secrets Officer on the vault, so the postprovision hook can store the SMTP and Stripe secrets. Empty: none.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
])
@description('Kind of principalId: User for an operator\'s azd up, ServicePrincipal for the deploy workflow (the preprovision hook sets AZURE_PRINCIPAL_TYPE).')
param principalType string = 'User'

@allowed([
  'Serverless'
  'Provisioned'
])
@description('Cosmos DB capacity mode. Serverless costs nothing while idle; Provisioned suits steady load.')
param cosmosCapacityMode string = 'Serverless'

@minValue(1000)
@description('Autoscale maximum RU/s of the database when cosmosCapacityMode is Provisioned.')
param cosmosProvisionedMaxThroughput int = 1000

@minValue(40)
@maxValue(1000)
param functionMaximumInstanceCount int = 100

@allowed([
  512
  2048
  4096
])
param functionInstanceMemoryMB int = 2048

@description('Where Azure Communication Services stores email data at rest.')
param emailDataLocation string = 'Europe'

@description('Application (client) id of the Entra application used for ACS SMTP authentication (README, Deploy). Empty: wire it later.')
param emailSmtpEntraApplicationId string = ''

@description('Object id of that application\'s service principal. Empty: grant its ACS role later.')
param emailSmtpServicePrincipalId string = ''

@secure()
@description('Client secret of that application, stored in Key Vault only. Empty: set the Key Vault secret later.')
param emailSmtpPassword string = ''

@description('Email address for alerts (dead-lettered messages, function failures, outbox lag). Empty: portal only.')
param alertEmail string = ''

@description('Outbox-lag alert: fires when an order event has waited longer than this many minutes to be published.')
@minValue(1)
param outboxLagAlertMinutes int = 5

@description('Days the tenant audit log keeps an entry (Cosmos DB per-item TTL); 0 keeps entries until deleted outside the API.')
@minValue(0)
@maxValue(24855)
param auditRetentionDays int = 365

@description('Comma-separated origins (e.g. https://shop.example.com) a browser may call the API from; empty: none.')
param corsAllowedOrigins string = ''

var corsOrigins = filter(map(split(corsAllowedOrigins, ','), origin => trim(origin)), origin => !empty(origin))

@description('Payment provider of the order flow: stripe in production; local (no network, documented test outcomes) only for a test environment.')
@allowed([
  'local'
  'stripe'
])
param paymentsProvider string = 'stripe'

@description('Put API Management in front of the Function App.')
param deployApiManagement bool = false

@allowed([
  'Developer'
  'BasicV2'
  'StandardV2'
])
param apiManagementSku string = 'BasicV2'

param apiManagementPublisherEmail string = 'api-owner@example.com'

@minValue(1)
@description('Requests all the callers of one tenant may make together through API Management per renewal period.')
param apiRateLimitTenantCalls int = 1200

@minValue(1)
@description('Requests each client (token subject, else IP) may make through API Management per renewal period.')
param apiRateLimitClientCalls int = 120

@minValue(1)
@description('Seconds after which the API Management rate-limit counters start again.')
param apiRateLimitRenewalPeriod int = 60

// Entra ID's authority for the tenancy model: organizations (any work or school directory) for B2B, the deployment's own
// directory otherwise. The app also reads the v1.0 metadata of the same authority, so v1.0 and v2.0 tokens are accepted.
var effectiveAuthAuthority = !empty(authAuthority) ? authAuthority : '${environment().authentication.loginEndpoint}${authTenancy == 'directory' ? 'organizations' : tenant().tenantId}/v2.0'
var authAudiences = [
  'api://${authClientId}'
  authClientId
]
var abbrs = loadJsonContent('abbreviations.json')
var appModel = loadJsonContent('app-model.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  workload: 'serverless-backend'
}
var functionAppName = '${abbrs.functionApp}api-${resourceToken}'
var identityName = '${abbrs.managedIdentity}api-${resourceToken}'
var appInsightsName = '${abbrs.appInsights}${resourceToken}'
var keyVaultName = '${abbrs.keyVault}${resourceToken}'
var smtpPasswordSecretName = 'email-smtp-password'
// Set by the operator (az keyvault secret set, infra/README.md), never by a deployment: no secret passes through Bicep.
var stripeSecretKeySecretName = 'stripe-secret-key'
var stripeWebhookSecretName = 'stripe-webhook-secret'

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: '${abbrs.resourceGroup}${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: rg
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  // The modules look the identity up by name (so role assignment names are known before deployment).
  dependsOn: [
    identity
  ]
  params: {
    logAnalyticsName: '${abbrs.logAnalyticsWorkspace}${resourceToken}'
    appInsightsName: appInsightsName
    location: location
    tags: tags
    appIdentityName: identityName
  }
}

module storage 'modules/storage.bicep' = {
  scope: rg
  dependsOn: [
    identity
  ]
  params: {
    name: '${abbrs.storageAccount}${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: 'deployment-package'
    appIdentityName: identityName
    logAnalyticsId: monitoring.outputs.logAnalyticsId
  }
}

module cosmos 'modules/cosmos.bicep' = {
  scope: rg
  dependsOn: [
    identity
  ]
  params: {
    name: '${abbrs.cosmosAccount}${resourceToken}'
    location: location
    tags: tags
    capacityMode: cosmosCapacityMode
    provisionedMaxThroughput: cosmosProvisionedMaxThroughput
    databaseName: appModel.cosmos.databaseName
    containers: appModel.cosmos.containers
    appIdentityName: identityName
    logAnalyticsId: monitoring.outputs.logAnalyticsId
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  scope: rg
  dependsOn: [
    identity
  ]
  params: {
    name: '${abbrs.serviceBusNamespace}${resourceToken}'
    location: location
    tags: tags
    topicName: appModel.serviceBus.topicName
    maxDeliveryCount: appModel.serviceBus.maxDeliveryCount
    subscriptions: appModel.serviceBus.subscriptions
    appIdentityName: identityName
    logAnalyticsId: monitoring.outputs.logAnalyticsId
  }
}

module email 'modules/email.bicep' = {
  scope: rg
  dependsOn: [
    identity
  ]
  params: {
    emailServiceName: '${abbrs.emailServices}${resourceToken}'
    communicationServiceName: '${abbrs.communicationServices}${resourceToken}'
    keyVaultName: keyVaultName
    location: location
    tags: tags
    dataLocation: emailDataLocation
    passwordSecretName: smtpPasswordSecretName
    smtpPassword: emailSmtpPassword
    smtpEntraApplicationId: emailSmtpEntraApplicationId
    smtpServicePrincipalId: emailSmtpServicePrincipalId
    appIdentityName: identityName
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
    logAnalyticsId: monitoring.outputs.logAnalyticsId
  }
}

module functionApp 'modules/functionapp.bicep' = {
  scope: rg
  params: {
    planName: '${abbrs.appServicePlan}${resourceToken}'
    appName: functionAppName
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    maximumInstanceCount: functionMaximumInstanceCount
    instanceMemoryMB: functionInstanceMemoryMB
    appInsightsName: appInsightsName
    logAnalyticsId: monitoring.outputs.logAnalyticsId
    corsAllowedOrigins: corsOrigins
    // Names as in Platform/Hosting/AppSettings.cs; the infra tests compare the two.
    appSettings: {
      ServiceBus__fullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
      ServiceBus__credential: 'managedidentity'
      ServiceBus__clientId: identity.outputs.clientId
      Cosmos__AccountEndpoint: cosmos.outputs.endpoint
      Cosmos__DatabaseName: appModel.cosmos.databaseName
      Auth__Authority: effectiveAuthAuthority
      Auth__Audiences: join(authAudiences, ',')
      // Operator-role tokens from the deployment's own directory may onboard tenants (PUT /api/v1/operator/tenants/{id}).
      Auth__OperatorDirectoryId: tenant().tenantId
      Auth__TenantClaim: authTenancy == 'directory' ? 'tid' : authTenantClaim
      Auth__TenantClaimPrefix: authTenancy == 'directory' ? '' : authTenantClaimPrefix
      Email__SmtpHost: email.outputs.smtpHost
      Email__SmtpPort: string(email.outputs.smtpPort)
      Email__FromAddress: email.outputs.fromAddress
      Email__UserName: email.outputs.smtpUserName
      // Resolved by the platform with the app's identity (keyVaultReferenceIdentity); never a literal secret.
      Email__Password: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${smtpPasswordSecretName})'
      Payments__Provider: paymentsProvider
      Payments__Stripe__SecretKey: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${stripeSecretKeySecretName})'
      Payments__Stripe__WebhookSecret: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${stripeWebhookSecretName})'
      Audit__RetentionDays: string(auditRetentionDays)
    }
  }
}

module alerts 'modules/alerts.bicep' = {
  scope: rg
  params: {
    actionGroupName: '${abbrs.monitorActionGroup}${resourceToken}'
    location: location
    tags: tags
    serviceBusNamespaceId: serviceBus.outputs.id
    appInsightsId: monitoring.outputs.appInsightsId
    alertEmail: alertEmail
    outboxLagMinutes: outboxLagAlertMinutes
  }
}

module apim 'modules/apim.bicep' = if (deployApiManagement) {
  scope: rg
  params: {
    name: '${abbrs.apiManagementService}${resourceToken}'
    location: location
    tags: tags
    sku: apiManagementSku
    publisherEmail: apiManagementPublisherEmail
    publisherName: 'ServerlessBackend'
    backendUrl: 'https://${functionApp.outputs.defaultHostName}/api'
    tenantCalls: apiRateLimitTenantCalls
    clientCalls: apiRateLimitClientCalls
    renewalPeriod: apiRateLimitRenewalPeriod
    authAuthority: effectiveAuthAuthority
    authAudiences: authAudiences
    tenantClaim: authTenancy == 'directory' ? 'tid' : authTenantClaim
    logAnalyticsId: monitoring.outputs.logAnalyticsId
    corsAllowedOrigins: corsOrigins
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output API_BASE_URL string = 'https://${functionApp.outputs.defaultHostName}/api'
output API_GATEWAY_URL string = apim.?outputs.gatewayUrl ?? ''
output KEY_VAULT_NAME string = email.outputs.keyVaultName
output AUTH_AUTHORITY string = effectiveAuthAuthority
output AUTH_OPERATOR_DIRECTORY_ID string = tenant().tenantId
