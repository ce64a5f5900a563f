metadata description = 'Optional API Management gateway in front of the Function App: the OpenAPI document imported, per-tenant and per-client rate limiting.'

param name string
param location string
param tags object

@allowed([
  'Developer'
  'BasicV2'
  'StandardV2'
])
@description('rate-limit-by-key is not available in the Consumption tier, so the cheapest tier that has it is the default.')
param sku string

param publisherEmail string
param publisherName string
param backendUrl string

@description('Calls all the callers of one tenant (the validated token\'s tenant claim) may make together per renewal period.')
param tenantCalls int

@description('Calls each client (validated token subject, else caller IP) may make per renewal period.')
param clientCalls int

@description('Seconds after which both rate-limit counters start again.')
param renewalPeriod int

@description('Token claim holding the tenant id, as the app reads it (Auth__TenantClaim).')
param tenantClaim string = 'tid'

@description('OpenID Connect authority whose tokens the gateway validates before keying the rate limits on their tenant and subject.')
param authAuthority string

@description('Accepted audiences: the App ID URI (v1.0 tokens) and the client id (v2.0 tokens).')
param authAudiences array

param logAnalyticsId string

@description('Origins a browser may call the API from through the gateway, as on the Function App (CORS); empty: no cors policy, no cross-origin calls.')
param corsAllowedOrigins array = []

// The gateway forwards only the imported operations, so a preflight (OPTIONS) never reaches the Function App's own
// CORS: the gateway answers it with this policy, for the same origins.
var corsPolicy = empty(corsAllowedOrigins) ? '' : '<cors allow-credentials="false" terminate-unmatched-request="true"><allowed-origins>${join(map(corsAllowedOrigins, origin => '<origin>${origin}</origin>'), '')}</allowed-origins><allowed-methods><method>GET</method><method>POST</method><method>PUT</method></allowed-methods><allowed-headers><header>Authorization</header><header>Content-Type</header><header>If-Match</header><header>If-None-Match</header><header>Idempotency-Key</header></allowed-headers><expose-headers><header>ETag</header><header>Location</header><header>Retry-After</header><header>Idempotent-Replayed</header></expose-headers></cors>'

var openIdAuthority = endsWith(authAuthority, '/') ? take(authAuthority, length(authAuthority) - 1) : authAuthority
// An Entra v2.0 authority also has v1.0 metadata (organizations/v2.0 has it under common), whose issuer v1.0 tokens carry.
var v1Authority = endsWith(openIdAuthority, '/v2.0') ? replace(take(openIdAuthority, length(openIdAuthority) - 5), '/organizations', '/common') : ''
var openIdConfigs = join(map(filter([openIdAuthority, v1Authority], a => !empty(a)), a => '<openid-config url="${a}/.well-known/openid-configuration" />'), '')
var audiencesXml = join(map(authAudiences, a => '<audience>${a}</audience>'), '')

resource apim 'Microsoft.ApiManagement/service@2024-05-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: sku
    capacity: 1
  }
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    publisherEmail: publisherEmail
    publisherName: publisherName
  }
}

resource api 'Microsoft.ApiManagement/service/apis@2024-05-01' = {
  parent: apim
  name: 'orders-api'
  properties: {
    displayName: 'ServerlessBackend orders API'
    // Same path as on the Function App, so /api/v1/... is the same route through the gateway.
    path: 'api'
    protocols: ['https']
    serviceUrl: backendUrl
    // Callers authenticate with their JWT, which the app validates; no APIM subscription key.
    subscriptionRequired: false
    format: 'openapi+json'
    value: loadTextContent('../../functions/ServerlessBackend.Functions/OpenApi/openapi.json')
  }
}

resource rateLimit 'Microsoft.ApiManagement/service/apis/policies@2024-05-01' = {
  parent: api
  name: 'policy'
  properties: {
    format: 'rawxml'
    value: replace(replace(replace(replace(replace(replace(replace(loadTextContent('apim-policy.xml'),
      '<!--{cors}-->', corsPolicy),
      '{tenantCalls}', string(tenantCalls)),
      '{clientCalls}', string(clientCalls)),
      '{renewalPeriod}', string(renewalPeriod)),
      '{tenantClaim}', tenantClaim),
      '{openIdConfigs}', openIdConfigs),
      '{audiences}', audiencesXml)
  }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: apim
  properties: {
    workspaceId: logAnalyticsId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

output gatewayUrl string = apim.properties.gatewayUrl
