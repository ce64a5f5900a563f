using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Features.Payments.Stripe;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Metrics;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Infra;

/// <summary>azd wiring, monitoring (diagnostic settings, alerts) and the optional API Management gateway.</summary>
public sealed partial class DeploymentTests
{
    [Fact]
    public void Parameters_file_supplies_every_required_parameter_and_names_only_real_ones()
    {
        using var file = JsonDocument.Parse(File.ReadAllText(RepoPaths.InRoot("infra", "main.parameters.json")));
        var supplied = file.RootElement.GetProperty("parameters").EnumerateObject().Select(p => p.Name).ToHashSet();
        var declared = CompiledInfra.Template.GetProperty("parameters").EnumerateObject().ToList();

        Assert.All(declared.Where(p => !p.Value.TryGetProperty("defaultValue", out _)),
            p => Assert.True(supplied.Contains(p.Name), $"main.parameters.json does not supply the required parameter {p.Name}."));
        Assert.All(supplied, name => Assert.Contains(declared, p => p.Name == name));
    }

    [Fact]
    public void Azure_yaml_deploys_the_functions_project_to_the_app_tagged_with_its_service_name()
    {
        var yaml = File.ReadAllText(RepoPaths.InRoot("azure.yaml"));
        var service = AzdService().Match(yaml);
        var tags = CompiledInfra.Resource("functionApp", "Microsoft.Web/sites").GetProperty("tags").GetString()!;

        Assert.True(service.Success, "azure.yaml declares no service with a project.");
        Assert.True(Directory.Exists(RepoPaths.InRoot(service.Groups["project"].Value.TrimStart('.', '/'))));
        Assert.Contains("host: function", yaml, StringComparison.Ordinal);
        Assert.Contains("path: infra", yaml, StringComparison.Ordinal);
        Assert.Contains($"createObject('azd-service-name', '{service.Groups["name"].Value}')", tags, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_resource_that_takes_tags_gets_the_environment_tags()
    {
        var tagged = CompiledInfra.AllResources()
            .Where(r => !IsExtensionOrChild(r.Resource))
            .ToList();

        Assert.NotEmpty(tagged);
        Assert.All(tagged, r => Assert.True(
            r.Resource.TryGetProperty("tags", out var tags) && tags.ToString().Contains("tags", StringComparison.Ordinal),
            $"{r.Resource.GetProperty("type")} in {r.Module} has no tags."));
        Assert.Contains("azd-env-name", CompiledInfra.Template.GetProperty("variables").GetProperty("tags").GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public void Resource_names_come_from_the_resource_token_and_abbreviations()
    {
        var variables = CompiledInfra.Template.GetProperty("variables");

        Assert.Equal("[toLower(uniqueString(subscription().id, parameters('environmentName'), parameters('location')))]", variables.GetProperty("resourceToken").GetString());
        foreach (var module in new[] { "storage", "cosmos", "serviceBus" })
        {
            Assert.Contains("variables('resourceToken')", CompiledInfra.Module(module).GetProperty("properties").GetProperty("parameters").GetProperty("name").GetProperty("value").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("storage", "Microsoft.Storage/storageAccounts/blobServices")]
    [InlineData("cosmos", "Microsoft.DocumentDB/databaseAccounts")]
    [InlineData("serviceBus", "Microsoft.ServiceBus/namespaces")]
    [InlineData("functionApp", "Microsoft.Web/sites")]
    [InlineData("email", "Microsoft.KeyVault/vaults")]
    [InlineData("apim", "Microsoft.ApiManagement/service")]
    public void Diagnostic_settings_send_the_resource_logs_to_log_analytics(string module, string scopeType)
    {
        var diagnostics = CompiledInfra.Resource(module, "Microsoft.Insights/diagnosticSettings");
        var properties = diagnostics.GetProperty("properties");

        Assert.StartsWith($"[resourceId('{scopeType}'", diagnostics.GetProperty("scope").GetString(), StringComparison.Ordinal);
        Assert.Equal("[parameters('logAnalyticsId')]", properties.GetProperty("workspaceId").GetString());
        Assert.Equal("[reference('monitoring').outputs.logAnalyticsId.value]", CompiledInfra.Module(module).GetProperty("properties").GetProperty("parameters").GetProperty("logAnalyticsId").GetProperty("value").GetString());
        Assert.Contains(properties.GetProperty("logs").EnumerateArray(), log => log.GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public void An_alert_fires_on_any_dead_lettered_message_in_the_namespace()
    {
        var alert = Alert("DeadletteredMessages");

        Assert.Equal(["[parameters('serviceBusNamespaceId')]"], alert.Properties.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("[reference('serviceBus').outputs.id.value]", CompiledInfra.Module("alerts").GetProperty("properties").GetProperty("parameters").GetProperty("serviceBusNamespaceId").GetProperty("value").GetString());
        Assert.Equal("GreaterThan", alert.Criterion.GetProperty("operator").GetString());
        Assert.Equal(0, alert.Criterion.GetProperty("threshold").GetInt32());
        Assert.True(alert.Properties.GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public void An_alert_fires_on_failed_function_executions()
    {
        var alert = Alert("requests/failed");

        Assert.Equal(["[parameters('appInsightsId')]"], alert.Properties.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("[reference('monitoring').outputs.appInsightsId.value]", CompiledInfra.Module("alerts").GetProperty("properties").GetProperty("parameters").GetProperty("appInsightsId").GetProperty("value").GetString());
        Assert.Equal(0, alert.Criterion.GetProperty("threshold").GetInt32());
        Assert.True(alert.Properties.GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public void An_alert_fires_when_the_outbox_lag_the_relay_records_exceeds_a_parameter_of_5_minutes_by_default()
    {
        var properties = LogAlert("outbox-lag").GetProperty("properties");
        var criterion = properties.GetProperty("criteria").GetProperty("allOf")[0];
        var column = criterion.GetProperty("metricMeasureColumn").GetString();
        using var metrics = new MetricsCapture();
        metrics.App.OutboxLag(TimeSpan.FromMinutes(1));
        var recorded = Assert.Single(metrics.All).Instrument;

        // The query reads the instrument the relay records, as the Azure Monitor exporter stores a histogram: the interval's highest value in valueMax.
        var query = criterion.GetProperty("query").GetString()!;
        Assert.StartsWith($"customMetrics | where name == \"{recorded}\"", query, StringComparison.Ordinal);
        Assert.EndsWith($"| extend {column} = valueMax", query, StringComparison.Ordinal);
        Assert.Equal(("Maximum", "GreaterThan"), (criterion.GetProperty("timeAggregation").GetString(), criterion.GetProperty("operator").GetString()));
        Assert.Equal("[mul(parameters('outboxLagMinutes'), 60)]", criterion.GetProperty("threshold").GetString());
        Assert.Equal("[parameters('outboxLagAlertMinutes')]", CompiledInfra.ModuleParameter("alerts", "outboxLagMinutes").GetString());
        Assert.Equal(5, CompiledInfra.Parameter("outboxLagAlertMinutes").GetProperty("defaultValue").GetInt32());
        Assert.Equal(1, CompiledInfra.Parameter("outboxLagAlertMinutes").GetProperty("minValue").GetInt32());
        Assert.Equal(["[parameters('appInsightsId')]"], properties.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(
            ["[resourceId('Microsoft.Insights/actionGroups', parameters('actionGroupName'))]"],
            properties.GetProperty("actions").GetProperty("actionGroups").EnumerateArray().Select(g => g.GetString()));
        Assert.True(properties.GetProperty("enabled").GetBoolean());
    }

    [Theory]
    [InlineData("payment-capture-failed", AppMetrics.PaymentStatusTag)]
    [InlineData("email-relay-refused", AppMetrics.OutcomeTag)]
    public void An_alert_fires_on_any_count_of_what_must_not_happen(string alert, string tag)
    {
        var properties = LogAlert(alert).GetProperty("properties");
        var criterion = properties.GetProperty("criteria").GetProperty("allOf")[0];
        using var metrics = new MetricsCapture();
        if (alert == "payment-capture-failed")
        {
            // A shipped order's capture refused for good: the money was not taken.
            metrics.App.PaymentStatusChanged("tenant-a", PaymentStatus.CaptureFailed);
        }
        else
        {
            // The relay refusing for itself (policy, authentication): every email fails until its setup changes.
            metrics.App.EmailSendEnded("tenant-a", AppMetrics.EmailOutcome.RelayRefused);
        }

        var recorded = Assert.Single(metrics.All);

        // The query reads the counter and tag value the app records; a counter's interval sum is valueSum.
        var query = criterion.GetProperty("query").GetString()!;
        Assert.Equal(
            $"customMetrics | where name == \"{recorded.Instrument}\" and tostring(customDimensions[\"{tag}\"]) == \"{recorded.Tags[tag]}\" | extend {criterion.GetProperty("metricMeasureColumn").GetString()} = valueSum",
            query);
        Assert.Equal(("Total", "GreaterThan", 0), (criterion.GetProperty("timeAggregation").GetString(), criterion.GetProperty("operator").GetString(), criterion.GetProperty("threshold").GetInt32()));
        Assert.Equal(["[parameters('appInsightsId')]"], properties.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(
            ["[resourceId('Microsoft.Insights/actionGroups', parameters('actionGroupName'))]"],
            properties.GetProperty("actions").GetProperty("actionGroups").EnumerateArray().Select(g => g.GetString()));
        Assert.True(properties.GetProperty("enabled").GetBoolean());
    }

    private static JsonElement LogAlert(string name) =>
        Assert.Single(CompiledInfra.Resources("alerts", "Microsoft.Insights/scheduledQueryRules"), r => r.GetProperty("name").GetString() == name);

    [Fact]
    public void Cors_origins_are_an_azd_parameter_none_by_default_set_on_the_function_app_without_credentials()
    {
        using var file = JsonDocument.Parse(File.ReadAllText(RepoPaths.InRoot("infra", "main.parameters.json")));
        var cors = CompiledInfra.Resource("functionApp", "Microsoft.Web/sites").GetProperty("properties").GetProperty("siteConfig").GetProperty("cors");
        var passed = CompiledInfra.Module("functionApp").GetProperty("properties").GetProperty("parameters").GetProperty("corsAllowedOrigins").GetProperty("value").GetString();

        Assert.Equal("${CORS_ALLOWED_ORIGINS}", file.RootElement.GetProperty("parameters").GetProperty("corsAllowedOrigins").GetProperty("value").GetString());
        Assert.Equal("", CompiledInfra.Parameter("corsAllowedOrigins").GetProperty("defaultValue").GetString());
        // The comma-separated value becomes the list of its non-empty, trimmed entries: empty (the default) is no origin at all.
        Assert.Equal(
            "[filter(map(split(parameters('corsAllowedOrigins'), ','), lambda('origin', trim(lambdaVariables('origin')))), lambda('origin', not(empty(lambdaVariables('origin')))))]",
            CompiledInfra.Template.GetProperty("variables").GetProperty("corsOrigins").GetString());
        Assert.Equal("[variables('corsOrigins')]", passed);
        Assert.Equal("[parameters('corsAllowedOrigins')]", cors.GetProperty("allowedOrigins").GetString());
        Assert.False(cors.GetProperty("supportCredentials").GetBoolean());
    }

    [Fact]
    public void Api_management_is_optional_and_off_by_default()
    {
        Assert.Equal("[parameters('deployApiManagement')]", CompiledInfra.Module("apim").GetProperty("condition").GetString());
        Assert.False(CompiledInfra.Parameter("deployApiManagement").GetProperty("defaultValue").GetBoolean());
    }

    [Fact]
    public void Api_management_imports_the_apps_openapi_document()
    {
        var api = CompiledInfra.Resource("apim", "Microsoft.ApiManagement/service/apis").GetProperty("properties");
        var document = ModuleVariable("apim", api.GetProperty("value").GetString()!);

        Assert.Equal("openapi+json", api.GetProperty("format").GetString());
        Assert.Equal(File.ReadAllText(RepoPaths.InRoot("functions", "ServerlessBackend.Functions", "OpenApi", "openapi.json")), document);
        Assert.Equal("api", api.GetProperty("path").GetString());
        Assert.Equal("[format('https://{0}/api', reference('functionApp').outputs.defaultHostName.value)]", CompiledInfra.Module("apim").GetProperty("properties").GetProperty("parameters").GetProperty("backendUrl").GetProperty("value").GetString());
    }

    [Fact]
    public void Api_management_limits_each_client_separately_with_parameters_on_a_tier_that_supports_it()
    {
        var policy = CompiledInfra.Resource("apim", "Microsoft.ApiManagement/service/apis/policies").GetProperty("properties").GetProperty("value").GetString()!;
        var xml = ModuleVariable("apim", VariableInside().Match(policy).Value);
        var sku = CompiledInfra.Parameter("apiManagementSku");

        var limits = XDocument.Parse(xml).Descendants("rate-limit-by-key").ToList();
        var parameters = CompiledInfra.Module("apim").GetProperty("properties").GetProperty("parameters");

        Assert.Equal(2, limits.Count);
        Assert.Equal("{clientCalls}", limits[1].Attribute("calls")!.Value);
        Assert.StartsWith("@(context.Variables.ContainsKey(\"jwt\") ? \"sub:\"", limits[1].Attribute("counter-key")!.Value, StringComparison.Ordinal);
        Assert.All(limits, limit => Assert.Equal("{renewalPeriod}", limit.Attribute("renewal-period")!.Value));
        Assert.Contains("'{clientCalls}', string(parameters('clientCalls'))", policy, StringComparison.Ordinal);
        Assert.Contains("'{renewalPeriod}', string(parameters('renewalPeriod'))", policy, StringComparison.Ordinal);
        Assert.Equal("[parameters('apiRateLimitClientCalls')]", parameters.GetProperty("clientCalls").GetProperty("value").GetString());
        Assert.Equal("[parameters('apiRateLimitRenewalPeriod')]", parameters.GetProperty("renewalPeriod").GetProperty("value").GetString());
        Assert.Equal(120, CompiledInfra.Parameter("apiRateLimitClientCalls").GetProperty("defaultValue").GetInt32());
        Assert.Equal(60, CompiledInfra.Parameter("apiRateLimitRenewalPeriod").GetProperty("defaultValue").GetInt32());
        // rate-limit-by-key does not exist in the Consumption tier.
        Assert.DoesNotContain("Consumption", sku.GetProperty("allowedValues").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public void Api_management_keys_the_rate_limit_on_a_validated_token_subject()
    {
        var policy = CompiledInfra.Resource("apim", "Microsoft.ApiManagement/service/apis/policies").GetProperty("properties").GetProperty("value").GetString()!;
        var xml = ModuleVariable("apim", VariableInside().Match(policy).Value);
        var parameters = CompiledInfra.Module("apim").GetProperty("properties").GetProperty("parameters");

        // The subject is only used once validate-jwt has put the token into the "jwt" variable.
        Assert.Contains("output-token-variable-name=\"jwt\"", xml, StringComparison.Ordinal);
        Assert.True(xml.IndexOf("<validate-jwt", StringComparison.Ordinal) < xml.IndexOf("<rate-limit-by-key", StringComparison.Ordinal));
        Assert.Contains("((Jwt)context.Variables[&quot;jwt&quot;]).Subject", xml, StringComparison.Ordinal);
        Assert.DoesNotContain("AsJwt()", xml, StringComparison.Ordinal);
        // The app's authority (v2.0 metadata and its v1.0 sibling) and both audiences, as the app validates them.
        Assert.Contains("'{openIdConfigs}', variables('openIdConfigs')", policy, StringComparison.Ordinal);
        Assert.Contains("'{audiences}', variables('audiencesXml')", policy, StringComparison.Ordinal);
        Assert.Equal("[variables('effectiveAuthAuthority')]", parameters.GetProperty("authAuthority").GetProperty("value").GetString());
        Assert.Equal("[variables('authAudiences')]", parameters.GetProperty("authAudiences").GetProperty("value").GetString());
    }

    [Fact]
    public void Api_management_limits_each_tenant_by_the_validated_tenant_claim_with_its_own_parameters()
    {
        var policy = CompiledInfra.Resource("apim", "Microsoft.ApiManagement/service/apis/policies").GetProperty("properties").GetProperty("value").GetString()!;
        var document = XDocument.Parse(ModuleVariable("apim", VariableInside().Match(policy).Value));
        var inbound = document.Root!.Element("inbound")!.Elements().ToList();
        var tenantLimit = Assert.Single(document.Descendants("rate-limit-by-key"), l => l.Attribute("calls")!.Value == "{tenantCalls}");
        var parameters = CompiledInfra.Module("apim").GetProperty("properties").GetProperty("parameters");

        // Keyed on the tenant claim of the token validate-jwt accepted, only after validation, and only when the token has one.
        Assert.Equal("@(\"tid:\" + ((Jwt)context.Variables[\"jwt\"]).Claims.GetValueOrDefault(\"{tenantClaim}\", \"\"))", tenantLimit.Attribute("counter-key")!.Value);
        Assert.Contains("((Jwt)context.Variables[\"jwt\"]).Claims.GetValueOrDefault(\"{tenantClaim}\", \"\") != \"\"", tenantLimit.Parent!.Attribute("condition")!.Value, StringComparison.Ordinal);
        Assert.True(
            inbound.FindIndex(e => e.Descendants("validate-jwt").Any()) < inbound.FindIndex(e => e.Descendants("rate-limit-by-key").Contains(tenantLimit)),
            "The tenant limit must come after validate-jwt.");
        Assert.Contains("'{tenantCalls}', string(parameters('tenantCalls'))", policy, StringComparison.Ordinal);
        Assert.Contains("'{tenantClaim}', parameters('tenantClaim')", policy, StringComparison.Ordinal);
        Assert.Equal("tid", CompiledInfra.ModuleTemplate("apim").GetProperty("parameters").GetProperty("tenantClaim").GetProperty("defaultValue").GetString());
        Assert.Equal("[parameters('apiRateLimitTenantCalls')]", parameters.GetProperty("tenantCalls").GetProperty("value").GetString());
        Assert.Equal(1200, CompiledInfra.Parameter("apiRateLimitTenantCalls").GetProperty("defaultValue").GetInt32());
    }

    [Fact]
    public void Api_management_answers_a_reached_limit_with_429_problem_details_and_retry_after()
    {
        var policy = CompiledInfra.Resource("apim", "Microsoft.ApiManagement/service/apis/policies").GetProperty("properties").GetProperty("value").GetString()!;
        var document = XDocument.Parse(ModuleVariable("apim", VariableInside().Match(policy).Value));
        var when = document.Root!.Element("on-error")!.Descendants("when").Single(w => w.Attribute("condition")!.Value.Contains("RateLimitExceeded", StringComparison.Ordinal));
        var response = when.Element("return-response")!;
        var headers = response.Elements("set-header").ToDictionary(h => h.Attribute("name")!.Value, h => h.Element("value")!.Value);

        Assert.Equal("@(context.LastError.Reason == \"RateLimitExceeded\")", when.Attribute("condition")!.Value);
        Assert.Equal("429", response.Element("set-status")!.Attribute("code")!.Value);
        Assert.Equal("application/problem+json", headers["Content-Type"]);
        // Retry-After carries the seconds rate-limit-by-key computed (both limits store them in the same variable).
        Assert.Contains("context.Variables[\"retryAfter\"].ToString()", headers["Retry-After"], StringComparison.Ordinal);
        Assert.All(document.Descendants("rate-limit-by-key"), l => Assert.Equal("retryAfter", l.Attribute("retry-after-variable-name")!.Value));
        var body = response.Element("set-body")!.Value;
        Assert.Contains("new JProperty(\"status\", 429)", body, StringComparison.Ordinal);
        Assert.Contains("new JProperty(\"title\", \"Too Many Requests\")", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Api_management_answers_cors_preflights_for_the_function_apps_origins_which_it_would_not_forward()
    {
        var policy = CompiledInfra.Resource("apim", "Microsoft.ApiManagement/service/apis/policies").GetProperty("properties").GetProperty("value").GetString()!;
        var inbound = XDocument.Parse(ModuleVariable("apim", VariableInside().Match(policy).Value)).Root!.Element("inbound")!;
        var cors = CompiledInfra.ModuleTemplate("apim").GetProperty("variables").GetProperty("corsPolicy").GetString()!;

        Assert.Equal("[variables('corsOrigins')]", CompiledInfra.Module("apim").GetProperty("properties").GetProperty("parameters").GetProperty("corsAllowedOrigins").GetProperty("value").GetString());
        // The placeholder comes first in inbound, before validate-jwt (a preflight carries no token) and the rate limits.
        Assert.Equal("{cors}", inbound.Nodes().OfType<XComment>().Select(c => c.Value).Single(v => v.Contains('{', StringComparison.Ordinal)));
        Assert.True(inbound.Nodes().ToList().FindIndex(n => n is XComment c && c.Value == "{cors}") < inbound.Nodes().ToList().IndexOf(inbound.Elements().First(e => e.Name != "base")));
        Assert.Contains("'<!--{cors}-->', variables('corsPolicy')", policy, StringComparison.Ordinal);
        // None without origins; otherwise the methods and request headers the API takes, and the headers clients read.
        Assert.StartsWith("[if(empty(parameters('corsAllowedOrigins')), '', format('<cors allow-credentials=\"false\"", cors, StringComparison.Ordinal);
        Assert.All(["GET", "POST", "PUT"], m => Assert.Contains($"<method>{m}</method>", cors, StringComparison.Ordinal));
        Assert.All(["Authorization", "Content-Type", "If-Match", "If-None-Match", "Idempotency-Key"], h => Assert.Contains($"<header>{h}</header>", cors, StringComparison.Ordinal));
        Assert.All(["ETag", "Location", "Retry-After", "Idempotent-Replayed"], h => Assert.Contains($"<header>{h}</header>", cors, StringComparison.Ordinal));
    }

    [Fact]
    public void Api_management_answers_a_body_over_the_apps_limits_with_413_problem_details_before_the_function_app()
    {
        var policy = CompiledInfra.Resource("apim", "Microsoft.ApiManagement/service/apis/policies").GetProperty("properties").GetProperty("value").GetString()!;
        var document = XDocument.Parse(ModuleVariable("apim", VariableInside().Match(policy).Value));
        var inbound = document.Root!.Element("inbound")!;
        var validate = Assert.Single(inbound.Descendants("validate-content"));
        var byOperation = validate.Parent!.Parent!;
        var webhook = byOperation.Element("when")!;
        var webhookRefusal = Assert.Single(webhook.Descendants("return-response"));
        var refusal = document.Root!.Element("on-error")!.Elements("choose").Elements("when")
            .Single(w => w.Attribute("condition")!.Value == "@(context.LastError.Source == \"validate-content\")").Element("return-response")!;
        var openApi = JsonDocument.Parse(File.ReadAllText(RepoPaths.InRoot("functions", "ServerlessBackend.Functions", "OpenApi", "openapi.json"))).RootElement;

        // Every operation but the webhook: the size only, at the app's JSON limit (validate-content takes at most 102,400).
        Assert.Equal(("ignore", "prevent", JsonBody.MaxBytes.ToString(CultureInfo.InvariantCulture)), (validate.Attribute("unspecified-content-type-action")!.Value, validate.Attribute("size-exceeded-action")!.Value, validate.Attribute("max-size")!.Value));
        Assert.InRange(JsonBody.MaxBytes, 1, 102_400);
        Assert.Empty(validate.Elements());
        Assert.Equal("otherwise", validate.Parent!.Name.LocalName);
        // The webhook, by its operation id in the imported document, at its own limit on Content-Length.
        Assert.Equal("@(context.Operation.Id == \"StripeWebhook\")", webhook.Attribute("condition")!.Value);
        Assert.Equal("StripeWebhook", openApi.GetProperty("paths").GetProperty("/" + ApiRoutes.StripeWebhook).GetProperty("post").GetProperty("operationId").GetString());
        Assert.Contains($"bytes > {StripeWebhookHandler.MaxBodyBytes};", webhookRefusal.Parent!.Attribute("condition")!.Value, StringComparison.Ordinal);
        foreach (var (response, limit) in new[] { (refusal, JsonBody.MaxBytes), (webhookRefusal, StripeWebhookHandler.MaxBodyBytes) })
        {
            Assert.Equal("413", response.Element("set-status")!.Attribute("code")!.Value);
            Assert.Equal("application/problem+json", response.Element("set-header")!.Element("value")!.Value);
            Assert.Contains("new JProperty(\"status\", 413)", response.Element("set-body")!.Value, StringComparison.Ordinal);
            Assert.Contains($"The body is larger than {limit} bytes.", response.Element("set-body")!.Value, StringComparison.Ordinal);
        }

        // After the token and the rate limits, so an oversized body still counts against them.
        var order = inbound.Elements().ToList();
        Assert.True(order.FindLastIndex(e => e.DescendantsAndSelf("rate-limit-by-key").Any()) < order.IndexOf(byOperation));
    }

    private static (JsonElement Properties, JsonElement Criterion) Alert(string metric)
    {
        var alert = CompiledInfra.Resources("alerts", "Microsoft.Insights/metricAlerts")
            .Select(a => a.GetProperty("properties"))
            .Single(p => p.GetProperty("criteria").GetProperty("allOf")[0].GetProperty("metricName").GetString() == metric);
        return (alert, alert.GetProperty("criteria").GetProperty("allOf")[0]);
    }

    private static string ModuleVariable(string module, string reference) =>
        CompiledInfra.ModuleTemplate(module).GetProperty("variables").GetProperty(VariableName().Match(reference).Groups["name"].Value).GetString()!;

    /// <summary>Extension resources (scoped onto another) and child resources (name a/b) take no tags of their own here.</summary>
    private static bool IsExtensionOrChild(JsonElement resource) =>
        resource.TryGetProperty("scope", out _)
        || resource.GetProperty("name").GetString()!.StartsWith("[format('{0}/", StringComparison.Ordinal)
        || resource.GetProperty("type").GetString() == "Microsoft.Insights/diagnosticSettings";

    [GeneratedRegex(@"^services:\s*\n\s+(?<name>[a-z0-9-]+):\s*\n\s+project:\s*(?<project>\S+)", RegexOptions.Multiline)]
    private static partial Regex AzdService();

    [GeneratedRegex(@"variables\('[^']+'\)")]
    private static partial Regex VariableInside();

    [GeneratedRegex(@"variables\('(?<name>[^']+)'\)")]
    private static partial Regex VariableName();
}
