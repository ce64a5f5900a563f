metadata description = 'Alerts: any dead-lettered message on the namespace, failed function executions, outbox lag, refused payment captures and an SMTP relay refusing for itself.'

param actionGroupName string
param location string
param tags object
param serviceBusNamespaceId string
param appInsightsId string

@description('Email address that receives the alerts. Empty: alerts fire into the portal only.')
param alertEmail string

@description('The outbox-lag alert fires when an order event has waited longer than this many minutes to be published.')
@minValue(1)
param outboxLagMinutes int

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: actionGroupName
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'orders-ops'
    enabled: true
    emailReceivers: empty(alertEmail) ? [] : [
      {
        name: 'operations'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

resource deadLetters 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: 'dead-lettered-messages'
  location: 'global'
  tags: tags
  properties: {
    description: 'A message was dead-lettered on a subscription: it exhausted its deliveries, expired or could never succeed. Inspect and replay it with the admin operations.'
    severity: 2
    enabled: true
    scopes: [serviceBusNamespaceId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'dead-lettered'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: ['*']
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
        }
      ]
    }
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

resource functionFailures 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: 'function-failures'
  location: 'global'
  tags: tags
  properties: {
    description: 'Function executions failed (HTTP 5xx or a thrown exception in a trigger).'
    severity: 2
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'failed-requests'
          metricNamespace: 'microsoft.insights/components'
          metricName: 'requests/failed'
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Count'
        }
      ]
    }
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

// The app's outbox.lag histogram (seconds, one measurement per relay run) reaches Application Insights through the
// Azure Monitor exporter as customMetrics rows, one per export interval, with the interval's highest value in valueMax.
resource outboxLag 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'outbox-lag'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Outbox lag'
    description: 'An order event has waited longer than ${outboxLagMinutes} minutes to be published: Service Bus or the outbox relay keeps failing (see the relay\'s warnings). Nothing is lost; the events stay pending in their orders.'
    severity: 2
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: 'customMetrics | where name == "outbox.lag" | extend lagSeconds = valueMax'
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'lagSeconds'
          operator: 'GreaterThan'
          threshold: outboxLagMinutes * 60
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [actionGroup.id]
    }
  }
}

// payments.status_changes counts each payment status the app writes; captureFailed means an order shipped and its capture
// was refused for good (an expired or cancelled authorization): the money was not taken and nothing retries it.
resource captureFailed 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'payment-capture-failed'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Payment capture refused'
    description: 'A shipped order\'s payment capture was refused for good (expired or cancelled authorization): the money was not taken. Find the order by its PaymentCaptureFailed event or the warning in the logs and collect the payment another way.'
    severity: 1
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    autoMitigate: false
    criteria: {
      allOf: [
        {
          query: 'customMetrics | where name == "payments.status_changes" and tostring(customDimensions["payment.status"]) == "captureFailed" | extend refused = valueSum'
          timeAggregation: 'Total'
          metricMeasureColumn: 'refused'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [actionGroup.id]
    }
  }
}

// emails.sends counts each hand-over to the SMTP relay by outcome; relayRefused means the relay refused for itself, for
// good (its policy, e.g. 550 5.7.1 relaying denied, or authentication): every email fails until its setup or the app's
// changes. Those deliveries are retried and dead-lettered, never recorded as the recipient's refusal.
resource relayRefused 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'email-relay-refused'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Email relay refusing'
    description: 'The SMTP relay refused to take an email for reasons of its own (a 5.7.x policy or authentication answer, see the SMTP status in the Email function\'s failures): emails are not going out. Check the relay\'s settings (Email__SmtpHost, Email__UserName, the Key Vault password, the sender domain), then replay the email dead letters.'
    severity: 1
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: 'customMetrics | where name == "emails.sends" and tostring(customDimensions["outcome"]) == "relayRefused" | extend refused = valueSum'
          timeAggregation: 'Total'
          metricMeasureColumn: 'refused'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [actionGroup.id]
    }
  }
}
