namespace ServerlessBackend.MemoryCheck;

/// <summary>
/// The environment both workers get, as on a deployed Flex Consumption app: the platform's runtime settings and every app
/// setting infra/ provisions, with values that lead nowhere. Endpoints end in .invalid (never resolve, RFC 6761); the
/// Application Insights connection string (set in Azure, so the app's Azure Monitor exporter is on, as deployed) and the
/// App Service managed identity endpoint (IDENTITY_ENDPOINT, what Azure gives the worker) point at a closed loopback
/// port; statsbeat and SDK stats, which would call Microsoft's fixed endpoints, are off. The quickstart reads none of the
/// app's settings.
/// </summary>
internal static class HostEnvironment
{
    private const string Nowhere = "http://127.0.0.1:9/";

    public static Dictionary<string, string> For(Options options)
    {
        var environment = options.Settings is { } file ? LocalSettings(file) : AppSettings();
        foreach (var name in new[] { "PATH", "HOME", "DOTNET_ROOT", "TMPDIR" })
        {
            if (System.Environment.GetEnvironmentVariable(name) is { } value)
            {
                environment[name] = value;
            }
        }

        foreach (var (name, value) in options.Environment)
        {
            environment[name] = value;
        }

        return environment;
    }

    /// <summary>The Values of a local.settings.json, which Core Tools gives the host (and so the worker) as environment variables.</summary>
    private static Dictionary<string, string> LocalSettings(string file)
    {
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(file));
        return json.RootElement.GetProperty("Values").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal);
    }

    private static Dictionary<string, string> AppSettings() => new(StringComparer.Ordinal)
    {
            ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production",
            ["AzureWebJobsStorage__accountName"] = "memcheck",
            ["ServiceBus__fullyQualifiedNamespace"] = "memcheck.servicebus.invalid",
            ["ServiceBus__credential"] = "managedidentity",
            ["ServiceBus__clientId"] = "00000000-0000-0000-0000-000000000000",
            ["Cosmos__AccountEndpoint"] = "https://memcheck.documents.invalid:443/",
            ["Cosmos__DatabaseName"] = "orders",
            ["Auth__Authority"] = "https://login.invalid/00000000-0000-0000-0000-000000000000/v2.0",
            ["Auth__Audiences"] = "api://memcheck",
            ["Auth__OperatorDirectoryId"] = "00000000-0000-0000-0000-000000000000",
            ["Auth__TenantClaim"] = "tid",
            ["Auth__TenantClaimPrefix"] = "",
            ["Email__SmtpHost"] = "smtp.invalid",
            ["Email__SmtpPort"] = "587",
            ["Email__FromAddress"] = "orders@memcheck.invalid",
            ["Email__UserName"] = "memcheck",
            ["Email__Password"] = "not-a-secret",
            ["Payments__Provider"] = "stripe",
            ["Payments__Stripe__SecretKey"] = "sk_test_memcheck",
            ["Payments__Stripe__WebhookSecret"] = "whsec_memcheck",
            ["Audit__RetentionDays"] = "365",
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = $"InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint={Nowhere};LiveEndpoint={Nowhere}",
            ["APPLICATIONINSIGHTS_STATSBEAT_DISABLED"] = "true",
            ["APPLICATIONINSIGHTS_SDKSTATS_DISABLED"] = "true",
            ["IDENTITY_ENDPOINT"] = $"{Nowhere}msi/token",
            ["IDENTITY_HEADER"] = "memcheck",
    };
}
