metadata description = '''Email relay: Azure Communication Services Email with an Azure-managed sender domain, used over SMTP.
ACS SMTP authenticates with an Entra application (username) and its client secret (password). The secret
lives only in Key Vault; the Function App reads it through a Key Vault reference resolved with its
user-assigned identity (Key Vault Secrets User on the vault). The vault also holds the Stripe secrets, which the
operator sets (infra/README.md); it holds nothing else.'''

param emailServiceName string
param communicationServiceName string
param keyVaultName string
param location string
param tags object

@description('Where ACS stores email data at rest.')
param dataLocation string

@description('Name of the Key Vault secret that holds the SMTP password.')
param passwordSecretName string

@secure()
@description('SMTP password (the Entra application client secret). Empty: set the secret later (README, Deploy).')
param smtpPassword string

@description('Application (client) id of the Entra application ACS SMTP authenticates. Empty: no SMTP username is created.')
param smtpEntraApplicationId string

@description('Object id of that application\'s service principal, granted the ACS role SMTP sending requires. Empty: none.')
param smtpServicePrincipalId string

@description('Name of the Function App\'s user-assigned identity (in this resource group), which gets the roles below.')
param appIdentityName string

param logAnalyticsId string

@description('Principal that runs the deployment (main.bicep principalId): Key Vault Secrets Officer on the vault, to store the secrets only the operator can give. Empty: none.')
param deployerPrincipalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
])
param deployerPrincipalType string = 'User'

var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
var keyVaultSecretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
// ACS has no narrower built-in role that allows SMTP sending with Entra credentials.
var communicationAndEmailServiceOwner = '09976791-48a7-449e-bb21-39d1a415f350'
var smtpUserName = 'smtp-sender'

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: appIdentityName
}

resource emailService 'Microsoft.Communication/emailServices@2025-09-01' = {
  name: emailServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
  }
}

resource managedDomain 'Microsoft.Communication/emailServices/domains@2025-09-01' = {
  parent: emailService
  name: 'AzureManagedDomain'
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'AzureManaged'
    userEngagementTracking: 'Disabled'
  }
}

resource communication 'Microsoft.Communication/communicationServices@2025-09-01' = {
  name: communicationServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
    linkedDomains: [managedDomain.id]
    // SMTP authenticates with the Entra application; the resource's access keys are never needed.
    disableLocalAuth: true
  }
}

resource smtpUsername 'Microsoft.Communication/communicationServices/smtpUsernames@2025-09-01' = if (!empty(smtpEntraApplicationId)) {
  parent: communication
  name: smtpUserName
  properties: {
    username: smtpUserName
    entraApplicationId: smtpEntraApplicationId
    tenantId: tenant().tenantId
  }
}

resource smtpSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(smtpServicePrincipalId)) {
  name: guid(communication.id, smtpServicePrincipalId, communicationAndEmailServiceOwner)
  scope: communication
  properties: {
    principalId: smtpServicePrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', communicationAndEmailServiceOwner)
  }
}

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: keyVaultName
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource passwordSecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = if (!empty(smtpPassword)) {
  parent: vault
  name: passwordSecretName
  properties: {
    value: smtpPassword
    contentType: 'text/plain'
  }
}

// The deployer stores the secrets only it can give (azd's postprovision hook: SMTP password, Stripe keys); it reads none
// through a deployment.
resource secretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(vault.id, deployerPrincipalId, keyVaultSecretsOfficer)
  scope: vault
  properties: {
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficer)
  }
}

resource secretsReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appIdentity.id, keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
  }
}

resource vaultDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: vault
  properties: {
    workspaceId: logAnalyticsId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

// The ACS SMTP endpoint is the same for every resource.
output smtpHost string = 'smtp.azurecomm.net'
output smtpPort int = 587
output smtpUserName string = smtpUserName
output fromAddress string = 'DoNotReply@${managedDomain.properties.mailFromSenderDomain}'
output keyVaultName string = vault.name
