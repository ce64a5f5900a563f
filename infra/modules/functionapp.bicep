metadata description = 'Flex Consumption (FC1) plan and the .NET 10 isolated Function App, running as the user-assigned identity.'

param planName string
param appName string
param location string
param tags object

param identityId string
param identityClientId string

param storageAccountName string
param deploymentContainerUrl string

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Application Insights component (in this resource group) the app sends telemetry to.')
param appInsightsName string

@description('App settings the code reads (names from Platform/Hosting/AppSettings.cs); the host and platform settings are added here.')
param appSettings object

param logAnalyticsId string

@description('Origins a browser may call the API from (CORS); empty: no cross-origin calls.')
param corsAllowedOrigins array

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      cors: {
        allowedOrigins: corsAllowedOrigins
        supportCredentials: false
      }
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// Host and platform settings, all identity-based. Flex Consumption takes the worker runtime from
// functionAppConfig.runtime, so FUNCTIONS_WORKER_RUNTIME is not set.
var hostSettings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // DefaultAzureCredential in the app picks the user-assigned identity from this.
  AZURE_CLIENT_ID: identityClientId
  // The host reads a whole request body before the worker (100 MiB by default): stop at 1 MiB, above the app's own
  // 64 KiB (JsonBody.HostBodyLimitBytes), so an oversized body up to 1 MiB still gets the app's 413 problem. Above it
  // the host answers an empty 500 (its ExceptionMiddleware maps Kestrel's 413 exception to 500; no setting changes
  // that): only API Management in front (apim-policy.xml) refuses every oversized body with a 413 problem.
  FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '1048576'
}

resource settings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: app
  name: 'appsettings'
  properties: union(appSettings, hostSettings, {
    // Locates the ingestion endpoint only: the component has local auth disabled, so telemetry is
    // accepted only with an Entra token of the identity above (Monitoring Metrics Publisher).
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  })
}

// No basic-auth publishing: deployments go to the blob container with Entra ID.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: app
  properties: {
    workspaceId: logAnalyticsId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

output id string = app.id
output name string = app.name
output defaultHostName string = app.properties.defaultHostName
