using System.Text.Json;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Hosting;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Infra;

/// <summary>
/// The Function App's settings against what the code reads: AppSettings.RequiredInAzure, the
/// connections and entities named by the bindings in the generated functions.metadata, and the
/// local settings sample.
/// </summary>
public sealed class AppSettingsTests
{
    private static readonly IReadOnlyDictionary<string, string> Settings = AppSettingsOf.Compiled();

    /// <summary>Binding types infra provisions for; a new kind of binding needs infra work first.</summary>
    private static readonly HashSet<string> SupportedBindingTypes = ["httpTrigger", "http", "timerTrigger", "serviceBusTrigger", "serviceBus"];

    [Fact]
    public void Every_setting_the_code_requires_in_azure_is_provisioned()
    {
        Assert.All(AppSettings.RequiredInAzure, name => Assert.True(Settings.ContainsKey(name), $"infra/ does not set {name}, which the app requires in Azure."));
    }

    [Fact]
    public void Host_storage_is_reached_through_the_user_assigned_identity()
    {
        Assert.Equal("[parameters('storageAccountName')]", Settings["AzureWebJobsStorage__accountName"]);
        Assert.Equal("managedidentity", Settings["AzureWebJobsStorage__credential"]);
        Assert.Equal("[parameters('identityClientId')]", Settings["AzureWebJobsStorage__clientId"]);
        Assert.False(Settings.ContainsKey("AzureWebJobsStorage"), "AzureWebJobsStorage as one setting is a connection string.");
    }

    [Fact]
    public void Flex_consumption_settings_leave_the_runtime_to_function_app_config()
    {
        // Flex Consumption rejects FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION in app settings.
        Assert.False(Settings.ContainsKey(AppSettings.FunctionsWorkerRuntime));
        Assert.False(Settings.ContainsKey("FUNCTIONS_EXTENSION_VERSION"));
    }

    [Fact]
    public void The_hosts_body_limit_is_set_just_above_the_apps_own_in_azure_and_locally()
    {
        // The host reads the whole body before the worker: its limit (100 MiB by default) is lowered so it buffers little,
        // and kept above the app's, so a body the app refuses still gets the app's 413 problem.
        using var sample = JsonDocument.Parse(File.ReadAllText(RepoPaths.InRoot("local.settings.sample.json")));
        var expected = JsonBody.HostBodyLimitBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(expected, Settings[AppSettings.FunctionsRequestBodySizeLimit]);
        Assert.Equal(expected, sample.RootElement.GetProperty("Values").GetProperty(AppSettings.FunctionsRequestBodySizeLimit).GetString());
        Assert.InRange(JsonBody.HostBodyLimitBytes, JsonBody.MaxBytes + 1, 1024 * 1024);
    }

    [Fact]
    public void Every_binding_is_of_a_kind_that_infra_provisions()
    {
        var bindings = FunctionsMetadata.Functions
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray().Select(b => (Function: f.GetProperty("name").GetString(), Type: b.GetProperty("type").GetString()!)));

        Assert.All(bindings, b => Assert.True(SupportedBindingTypes.Contains(b.Type), $"{b.Function} has a '{b.Type}' binding that infra/ does not provision."));
    }

    [Fact]
    public void Every_service_bus_binding_connects_through_the_identity_to_a_provisioned_entity()
    {
        var topic = CompiledInfra.ModuleParameter("serviceBus", "topicName").GetString();
        var subscriptions = CompiledInfra.ModuleParameter("serviceBus", "subscriptions").EnumerateArray()
            .ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("requiresSession").GetBoolean());
        var bindings = ServiceBusBindings();

        Assert.Contains(bindings, b => b.Binding.GetProperty("type").GetString() == "serviceBusTrigger");
        Assert.All(bindings, b =>
        {
            var connection = b.Binding.GetProperty("connection").GetString()!;
            Assert.True(Settings.ContainsKey($"{connection}__fullyQualifiedNamespace"), $"{b.Function}: {connection}__fullyQualifiedNamespace is not set.");
            Assert.Equal("managedidentity", Settings[$"{connection}__credential"]);
            Assert.True(Settings.ContainsKey($"{connection}__clientId"), $"{b.Function}: {connection}__clientId is not set.");
            Assert.False(Settings.ContainsKey(connection), $"{b.Function}: a '{connection}' setting would be a connection string.");
            Assert.False(b.Binding.TryGetProperty("queueName", out var queue) && queue.ValueKind == JsonValueKind.String,
                $"{b.Function} uses a queue; infra provisions only the '{topic}' topic and its subscriptions.");
            var entity = b.Binding.TryGetProperty("topicName", out var t) ? t.GetString()
                : b.Binding.TryGetProperty("queueOrTopicName", out var q) ? q.GetString() : null;
            Assert.True(entity == topic, $"{b.Function} uses '{entity}'; infra provisions the '{topic}' topic.");
            if (b.Binding.GetProperty("type").GetString() == "serviceBusTrigger")
            {
                var subscription = b.Binding.GetProperty("subscriptionName").GetString()!;
                Assert.True(subscriptions.ContainsKey(subscription), $"{b.Function} listens on subscription '{subscription}', which infra/ does not provision.");
                var sessions = b.Binding.TryGetProperty("isSessionsEnabled", out var s) && s.GetBoolean();
                Assert.True(subscriptions[subscription] == sessions, $"{b.Function}: isSessionsEnabled={sessions} but subscription '{subscription}' requiresSession={subscriptions[subscription]}.");
            }
        });
    }

    [Fact]
    public void The_service_bus_connection_names_the_provisioned_namespace()
    {
        Assert.Equal($"{MessagingTopology.Connection}__fullyQualifiedNamespace", AppSettings.ServiceBusNamespace);
        Assert.Equal("[reference('serviceBus').outputs.fullyQualifiedNamespace.value]", Settings[AppSettings.ServiceBusNamespace]);
        Assert.Equal("managedidentity", Settings[$"{MessagingTopology.Connection}__credential"]);
    }

    [Fact]
    public void Cosmos_settings_name_the_provisioned_account_and_database()
    {
        Assert.Equal("[reference('cosmos').outputs.endpoint.value]", Settings[AppSettings.CosmosAccountEndpoint]);
        Assert.Equal(CosmosModel.DefaultDatabaseName, CompiledInfra.Resolve(JsonSerializer.SerializeToElement(Settings[AppSettings.CosmosDatabaseName])).GetString());
    }

    [Fact]
    public void The_email_password_is_a_key_vault_reference_to_the_provisioned_vault_and_secret()
    {
        var password = Settings[AppSettings.EmailPassword];

        Assert.Equal("[format('@Microsoft.KeyVault(VaultName={0};SecretName={1})', variables('keyVaultName'), variables('smtpPasswordSecretName'))]", password);
        Assert.Equal("[variables('keyVaultName')]", RawModuleParameter("email", "keyVaultName"));
        Assert.Equal("[variables('smtpPasswordSecretName')]", RawModuleParameter("email", "passwordSecretName"));
    }

    [Theory]
    [InlineData(AppSettings.PaymentsStripeSecretKey, "stripeSecretKeySecretName", "stripe-secret-key")]
    [InlineData(AppSettings.PaymentsStripeWebhookSecret, "stripeWebhookSecretName", "stripe-webhook-secret")]
    public void The_stripe_secrets_are_key_vault_references_to_secrets_no_deployment_writes(string setting, string variable, string secretName)
    {
        Assert.Equal($"[format('@Microsoft.KeyVault(VaultName={{0}};SecretName={{1}})', variables('keyVaultName'), variables('{variable}'))]", Settings[setting]);
        Assert.Equal(secretName, CompiledInfra.Template.GetProperty("variables").GetProperty(variable).GetString());
        // The operator sets them (az keyvault secret set): no parameter takes them and no secret resource is written for them.
        Assert.DoesNotContain(CompiledInfra.Template.GetProperty("parameters").EnumerateObject(), p => p.Name.Contains("stripe", StringComparison.OrdinalIgnoreCase));
        var secrets = CompiledInfra.AllResources().Where(r => r.Resource.GetProperty("type").GetString() == "Microsoft.KeyVault/vaults/secrets").ToList();
        Assert.NotEmpty(secrets);
        Assert.All(secrets, s => Assert.DoesNotContain("stripe", s.Resource.GetRawText(), StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void No_setting_holds_key_material()
    {
        Assert.All(Settings, setting =>
        {
            Assert.DoesNotContain("AccountKey", setting.Value, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("SharedAccessKey", setting.Value, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("listKeys", setting.Value, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("parameters('emailSmtpPassword')", setting.Value, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Local_settings_sample_covers_every_setting_needed_locally()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(RepoPaths.InRoot("local.settings.sample.json")));
        var values = sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name).ToHashSet();

        Assert.All(AppSettings.RequiredLocally, name => Assert.True(values.Contains(name), $"local.settings.sample.json lacks {name}."));
    }

    [Fact]
    public void Development_only_switches_are_on_in_the_local_sample_and_never_set_by_infra()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(RepoPaths.InRoot("local.settings.sample.json")));
        var values = sample.RootElement.GetProperty("Values");

        Assert.All(AppSettings.DevelopmentOnly, name =>
        {
            Assert.False(Settings.ContainsKey(name), $"infra/ sets {name}, a development-only switch.");
            Assert.True(values.TryGetProperty(name, out var value) && value.GetString() == "true", $"local.settings.sample.json does not turn {name} on.");
        });
    }

    private static string RawModuleParameter(string module, string parameter) =>
        CompiledInfra.Module(module).GetProperty("properties").GetProperty("parameters").GetProperty(parameter).GetProperty("value").GetString()!;

    private static List<(string Function, JsonElement Binding)> ServiceBusBindings() =>
        FunctionsMetadata.Functions
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray().Select(b => (Function: f.GetProperty("name").GetString()!, Binding: b)))
            .Where(b => b.Binding.GetProperty("type").GetString()!.StartsWith("serviceBus", StringComparison.Ordinal))
            .ToList();
}
