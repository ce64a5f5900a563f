using System.Text.Json;

namespace ServerlessBackend.IntegrationTests.Infra;

/// <summary>
/// Each security property of the compiled deployment, asserted where it is set: flipping any one of
/// them in infra/ fails its test.
/// </summary>
public sealed class SecurityTests
{
    private static JsonElement Properties(string module, string type) => CompiledInfra.Resource(module, type).GetProperty("properties");

    [Fact]
    public void Storage_accepts_only_entra_id_over_tls_1_2_and_nothing_public()
    {
        var storage = Properties("storage", "Microsoft.Storage/storageAccounts");

        Assert.False(storage.GetProperty("allowSharedKeyAccess").GetBoolean());
        Assert.False(storage.GetProperty("allowBlobPublicAccess").GetBoolean());
        Assert.True(storage.GetProperty("defaultToOAuthAuthentication").GetBoolean());
        Assert.True(storage.GetProperty("supportsHttpsTrafficOnly").GetBoolean());
        Assert.Equal("TLS1_2", storage.GetProperty("minimumTlsVersion").GetString());
        Assert.Equal("None", Properties("storage", "Microsoft.Storage/storageAccounts/blobServices/containers").GetProperty("publicAccess").GetString());
    }

    [Fact]
    public void Function_app_is_https_only_with_tls_1_2_and_no_ftp_or_basic_publishing()
    {
        var app = Properties("functionApp", "Microsoft.Web/sites");
        var site = app.GetProperty("siteConfig");
        var policies = CompiledInfra.Resources("functionApp", "Microsoft.Web/sites/basicPublishingCredentialsPolicies");

        Assert.True(app.GetProperty("httpsOnly").GetBoolean());
        Assert.Equal("1.2", site.GetProperty("minTlsVersion").GetString());
        Assert.Equal("1.2", site.GetProperty("scmMinTlsVersion").GetString());
        Assert.Equal("Disabled", site.GetProperty("ftpsState").GetString());
        Assert.Equal(2, policies.Count);
        Assert.All(policies, policy => Assert.False(policy.GetProperty("properties").GetProperty("allow").GetBoolean()));
        Assert.Contains(policies, p => p.GetProperty("name").GetString()!.Contains("'ftp'", StringComparison.Ordinal));
        Assert.Contains(policies, p => p.GetProperty("name").GetString()!.Contains("'scm'", StringComparison.Ordinal));
    }

    [Fact]
    public void Function_app_runs_on_flex_consumption_as_dotnet_isolated_10_under_its_user_assigned_identity_only()
    {
        var plan = CompiledInfra.Resource("functionApp", "Microsoft.Web/serverfarms");
        var site = CompiledInfra.Resource("functionApp", "Microsoft.Web/sites");
        var config = site.GetProperty("properties").GetProperty("functionAppConfig");
        var deploymentAuth = config.GetProperty("deployment").GetProperty("storage").GetProperty("authentication");

        Assert.Equal("FC1", plan.GetProperty("sku").GetProperty("name").GetString());
        Assert.Equal("FlexConsumption", plan.GetProperty("sku").GetProperty("tier").GetString());
        Assert.Equal("dotnet-isolated", config.GetProperty("runtime").GetProperty("name").GetString());
        Assert.Equal("10.0", config.GetProperty("runtime").GetProperty("version").GetString());
        Assert.Equal("UserAssigned", site.GetProperty("identity").GetProperty("type").GetString());
        Assert.Equal("UserAssignedIdentity", deploymentAuth.GetProperty("type").GetString());
        Assert.Equal("[parameters('identityId')]", deploymentAuth.GetProperty("userAssignedIdentityResourceId").GetString());
        Assert.Equal("[parameters('identityId')]", site.GetProperty("properties").GetProperty("keyVaultReferenceIdentity").GetString());
    }

    [Fact]
    public void Cosmos_accepts_only_entra_id_keeps_continuous_backups_and_is_serverless_by_default()
    {
        var account = Properties("cosmos", "Microsoft.DocumentDB/databaseAccounts");
        var capacityMode = CompiledInfra.Parameter("cosmosCapacityMode");

        Assert.True(account.GetProperty("disableLocalAuth").GetBoolean());
        Assert.True(account.GetProperty("disableKeyBasedMetadataWriteAccess").GetBoolean());
        Assert.Equal("Tls12", account.GetProperty("minimalTlsVersion").GetString());
        Assert.Equal("Continuous", account.GetProperty("backupPolicy").GetProperty("type").GetString());
        Assert.Equal("Serverless", capacityMode.GetProperty("defaultValue").GetString());
        Assert.Equal("[parameters('cosmosCapacityMode')]", CompiledInfra.Module("cosmos").GetProperty("properties").GetProperty("parameters").GetProperty("capacityMode").GetProperty("value").GetString());
        Assert.Equal(
            "[if(equals(parameters('capacityMode'), 'Serverless'), createArray(createObject('name', 'EnableServerless')), createArray())]",
            account.GetProperty("capabilities").GetString());
    }

    [Fact]
    public void Service_bus_accepts_only_entra_id_and_dead_letters_instead_of_dropping()
    {
        var ns = Properties("serviceBus", "Microsoft.ServiceBus/namespaces");
        var topic = Properties("serviceBus", "Microsoft.ServiceBus/namespaces/topics");
        var subscription = Properties("serviceBus", "Microsoft.ServiceBus/namespaces/topics/subscriptions");

        Assert.True(ns.GetProperty("disableLocalAuth").GetBoolean());
        Assert.Equal("1.2", ns.GetProperty("minimumTlsVersion").GetString());
        Assert.True(topic.GetProperty("requiresDuplicateDetection").GetBoolean());
        Assert.True(subscription.GetProperty("deadLetteringOnMessageExpiration").GetBoolean());
        Assert.True(subscription.GetProperty("deadLetteringOnFilterEvaluationExceptions").GetBoolean());
    }

    [Fact]
    public void Telemetry_is_ingested_only_with_entra_id()
    {
        var workspace = Properties("monitoring", "Microsoft.OperationalInsights/workspaces");
        var appInsights = Properties("monitoring", "Microsoft.Insights/components");
        var settings = AppSettingsOf.Compiled();

        Assert.True(workspace.GetProperty("features").GetProperty("disableLocalAuth").GetBoolean());
        Assert.True(appInsights.GetProperty("DisableLocalAuth").GetBoolean());
        Assert.Equal("[resourceId('Microsoft.OperationalInsights/workspaces', parameters('logAnalyticsName'))]", appInsights.GetProperty("WorkspaceResourceId").GetString());
        Assert.Contains("Authorization=AAD", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"], StringComparison.Ordinal);
    }

    [Fact]
    public void Key_vault_uses_rbac_with_purge_protection()
    {
        var vault = Properties("email", "Microsoft.KeyVault/vaults");

        Assert.True(vault.GetProperty("enableRbacAuthorization").GetBoolean());
        Assert.True(vault.GetProperty("enablePurgeProtection").GetBoolean());
        Assert.False(vault.TryGetProperty("accessPolicies", out _));
    }

    [Fact]
    public void Communication_services_access_keys_are_disabled()
    {
        Assert.True(Properties("email", "Microsoft.Communication/communicationServices").GetProperty("disableLocalAuth").GetBoolean());
    }

    [Theory]
    [InlineData("listKeys")]
    [InlineData("listConnectionStrings")]
    [InlineData("listSecrets")]
    [InlineData("AccountKey=")]
    [InlineData("SharedAccessKey")]
    public void The_deployment_never_reads_or_embeds_key_material(string marker)
    {
        Assert.DoesNotContain(marker, CompiledInfra.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void The_smtp_password_is_a_secure_parameter_that_only_becomes_a_key_vault_secret()
    {
        var email = CompiledInfra.ModuleTemplate("email");
        var secret = CompiledInfra.Resource("email", "Microsoft.KeyVault/vaults/secrets");

        Assert.Equal("securestring", CompiledInfra.Parameter("emailSmtpPassword").GetProperty("type").GetString());
        Assert.Equal("securestring", email.GetProperty("parameters").GetProperty("smtpPassword").GetProperty("type").GetString());
        Assert.Equal("[parameters('smtpPassword')]", secret.GetProperty("properties").GetProperty("value").GetString());
        var uses = CompiledInfra.AllResources().Count(r => r.Resource.GetRawText().Contains("parameters('smtpPassword')", StringComparison.Ordinal));
        Assert.Equal(1, uses);
    }

    [Fact]
    public void No_output_carries_a_secret_or_a_connection_string()
    {
        var modules = CompiledInfra.Template.GetProperty("resources").EnumerateObject()
            .Where(r => r.Value.GetProperty("type").GetString() == "Microsoft.Resources/deployments")
            .Select(r => r.Name)
            .ToList();
        var outputs = CompiledInfra.Template.GetProperty("outputs").EnumerateObject()
            .Concat(modules.SelectMany(m => CompiledInfra.ModuleTemplate(m).TryGetProperty("outputs", out var o) ? o.EnumerateObject() : []))
            .ToList();

        Assert.Contains("functionApp", modules);
        Assert.All(outputs, output =>
        {
            Assert.DoesNotMatch("(?i)secret|password|connectionstring|accesskey|accountkey", output.Name);
            Assert.DoesNotMatch("(?i)connectionstring|secret|password|listkeys", output.Value.GetRawText());
            Assert.NotEqual("securestring", output.Value.GetProperty("type").GetString());
        });
    }
}
