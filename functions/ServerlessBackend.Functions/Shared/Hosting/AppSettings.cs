namespace ServerlessBackend.Functions.Shared.Hosting;

/// <summary>
/// Every app setting the code reads, declared once. infra/ must provision each of
/// <see cref="RequiredInAzure"/> and local.settings.sample.json must hold each of
/// <see cref="RequiredLocally"/>; tests cross-check both. Names use the `__` form of app settings.
/// </summary>
public static class AppSettings
{
    public const string FunctionsWorkerRuntime = "FUNCTIONS_WORKER_RUNTIME";

    /// <summary>Identity-based Service Bus connection used by triggers (Connection = "ServiceBus") and the publisher.</summary>
    public const string ServiceBusNamespace = "ServiceBus__fullyQualifiedNamespace";

    public const string CosmosAccountEndpoint = "Cosmos__AccountEndpoint";

    public const string CosmosDatabaseName = "Cosmos__DatabaseName";

    /// <summary>Settings the app cannot start without in Azure (host storage settings are checked by the infra tests separately).</summary>
    public static IReadOnlyList<string> RequiredInAzure { get; } =
    [
        ServiceBusNamespace,
        CosmosAccountEndpoint,
        CosmosDatabaseName,
    ];

    /// <summary>Settings a local run needs in local.settings.json.</summary>
    public static IReadOnlyList<string> RequiredLocally { get; } =
    [
        "AzureWebJobsStorage",
        FunctionsWorkerRuntime,
        ServiceBusNamespace,
        CosmosAccountEndpoint,
        CosmosDatabaseName,
    ];
}
