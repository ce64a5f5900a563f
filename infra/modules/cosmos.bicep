metadata description = 'Cosmos DB for NoSQL: Entra ID only, continuous backup, the database and containers the app declares.'

param name string
param location string
param tags object

@allowed([
  'Serverless'
  'Provisioned'
])
@description('Serverless bills per request (cheapest when idle); Provisioned uses shared autoscale database throughput.')
param capacityMode string

@minValue(1000)
@description('Autoscale maximum RU/s shared by the database in Provisioned mode.')
param provisionedMaxThroughput int

param databaseName string

@description('Containers as the app declares them: name, partitionKeyPath, defaultTtlSeconds (null = off), excludedPaths, compositeIndexes.')
param containers array

@description('Name of the Function App\'s user-assigned identity (in this resource group), which gets the roles below.')
param appIdentityName string

param logAnalyticsId string

// Built-in data-plane role (not an Azure RBAC role): read/write items, no control-plane rights.
var builtInDataContributor = '00000000-0000-0000-0000-000000000002'

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: appIdentityName
}

resource account 'Microsoft.DocumentDB/databaseAccounts@2025-10-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    capabilities: capacityMode == 'Serverless' ? [{ name: 'EnableServerless' }] : []
    backupPolicy: {
      type: 'Continuous'
      continuousModeProperties: {
        tier: 'Continuous7Days'
      }
    }
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2025-10-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
    options: capacityMode == 'Serverless' ? {} : { autoscaleSettings: { maxThroughput: provisionedMaxThroughput } }
  }
}

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2025-10-15' = [
  for container in containers: {
    parent: database
    name: container.name
    properties: {
      resource: union(
        {
          id: container.name
          partitionKey: {
            paths: [container.partitionKeyPath]
            kind: 'Hash'
            version: 2
          }
          indexingPolicy: {
            indexingMode: 'consistent'
            automatic: true
            // A container that excludes the root indexes nothing (point reads only).
            includedPaths: contains(container.excludedPaths, '/*') ? [] : [{ path: '/*' }]
            excludedPaths: map(container.excludedPaths, path => { path: path })
            // Each serves one list query's filter plus ORDER BY: [[{ path, order: 'ascending' | 'descending' }]].
            compositeIndexes: container.compositeIndexes
          }
        },
        container.defaultTtlSeconds == null ? {} : { defaultTtl: container.defaultTtlSeconds }
      )
    }
  }
]

resource dataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2025-10-15' = {
  parent: account
  name: guid(account.id, appIdentity.id, builtInDataContributor)
  properties: {
    principalId: appIdentity.properties.principalId
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${builtInDataContributor}'
    scope: account.id
  }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: account
  properties: {
    workspaceId: logAnalyticsId
    logAnalyticsDestinationType: 'Dedicated'
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

output endpoint string = account.properties.documentEndpoint
output name string = account.name
