using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
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
    public void Api_management_limits_each_client_separately_on_a_tier_that_supports_it()
    {
        var policy = CompiledInfra.Resource("apim", "Microsoft.ApiManagement/service/apis/policies").GetProperty("properties").GetProperty("value").GetString()!;
        var xml = ModuleVariable("apim", VariableInside().Match(policy).Value);
        var sku = CompiledInfra.Parameter("apiManagementSku");

        Assert.Equal("policies", XDocument.Parse(xml).Root!.Name.LocalName);
        Assert.Contains("<rate-limit-by-key calls=\"{callsPerMinute}\" renewal-period=\"60\"", xml, StringComparison.Ordinal);
        Assert.Contains("'{callsPerMinute}', string(parameters('callsPerMinute'))", policy, StringComparison.Ordinal);
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
        Assert.Contains("'{openIdConfigurationUrl}', format('{0}/.well-known/openid-configuration', variables('openIdAuthority'))", policy, StringComparison.Ordinal);
        Assert.Contains("'{audience}', parameters('authAudience')", policy, StringComparison.Ordinal);
        Assert.Equal("[parameters('authAuthority')]", parameters.GetProperty("authAuthority").GetProperty("value").GetString());
        Assert.Equal("[parameters('authAudience')]", parameters.GetProperty("authAudience").GetProperty("value").GetString());
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
