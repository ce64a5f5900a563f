namespace ServerlessBackend.Functions.Platform.Hosting;

/// <summary>
/// Every app setting the code reads, declared once. infra/ must provision each of
/// <see cref="RequiredInAzure"/> and local.settings.sample.json must hold each of
/// <see cref="RequiredLocally"/>; tests cross-check both. Names use the `__` form of app settings.
/// </summary>
public static class AppSettings
{
    /// <summary>The IConfiguration key of an app setting ("A__B" is read as "A:B").</summary>
    public static string ConfigurationKey(string setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        return setting.Replace("__", ":", StringComparison.Ordinal);
    }

    public const string FunctionsWorkerRuntime = "FUNCTIONS_WORKER_RUNTIME";

    /// <summary>Read by the Functions host, not the app: its request body limit, set to <see cref="Http.JsonBody.HostBodyLimitBytes"/>.</summary>
    public const string FunctionsRequestBodySizeLimit = "FUNCTIONS_REQUEST_BODY_SIZE_LIMIT";

    /// <summary>Identity-based Service Bus connection used by triggers (Connection = "ServiceBus") and the publisher.</summary>
    public const string ServiceBusNamespace = "ServiceBus__fullyQualifiedNamespace";

    public const string CosmosAccountEndpoint = "Cosmos__AccountEndpoint";

    public const string CosmosDatabaseName = "Cosmos__DatabaseName";

    /// <summary>Local development only: accept the self-signed certificate of a Cosmos server on a loopback endpoint (refused outside Development or for any other endpoint).</summary>
    public const string CosmosAllowUntrustedLoopbackCertificate = "Cosmos__AllowUntrustedLoopbackCertificate";

    /// <summary>OpenID Connect authority of the token issuer (Entra ID: https://login.microsoftonline.com/organizations/v2.0, or /{tenant}/v2.0).</summary>
    public const string AuthAuthority = "Auth__Authority";

    /// <summary>Accepted audiences of access tokens, comma-separated: the API's App ID URI and its client id.</summary>
    public const string AuthAudiences = "Auth__Audiences";

    /// <summary>The operator's home directory (Entra tenant id): operator-role tokens from it may onboard tenants.</summary>
    public const string AuthOperatorDirectoryId = "Auth__OperatorDirectoryId";

    /// <summary>Optional: the prefix of the tenant claim's value that names the shop (e.g. shop: for app roles shop:contoso).</summary>
    public const string AuthTenantClaimPrefix = "Auth__TenantClaimPrefix";

    /// <summary>Optional claim-name overrides (defaults in code): tenant (the tenancy model), customer id, email, roles.</summary>
    public const string AuthTenantClaim = "Auth__TenantClaim";
    public const string AuthCustomerClaim = "Auth__CustomerClaim";
    public const string AuthEmailClaim = "Auth__EmailClaim";
    public const string AuthRoleClaim = "Auth__RoleClaim";

    /// <summary>Local development only: accept tokens signed with the published development key (refused outside Development).</summary>
    public const string AuthUseDevelopmentKey = "Auth__UseDevelopmentKey";

    /// <summary>SMTP relay for customer email. In Azure the password is a Key Vault reference, never a literal.</summary>
    public const string EmailSmtpHost = "Email__SmtpHost";
    public const string EmailSmtpPort = "Email__SmtpPort";
    public const string EmailFromAddress = "Email__FromAddress";
    public const string EmailUserName = "Email__UserName";
    public const string EmailPassword = "Email__Password";

    /// <summary>The payment provider: local or stripe. Unset is local in Development and refused anywhere else.</summary>
    public const string PaymentsProvider = "Payments__Provider";

    /// <summary>The Stripe account's secret key and the webhook endpoint's signing secret; in Azure, Key Vault references.</summary>
    public const string PaymentsStripeSecretKey = "Payments__Stripe__SecretKey";
    public const string PaymentsStripeWebhookSecret = "Payments__Stripe__WebhookSecret";

    /// <summary>Optional: another base URL for Stripe's API (tests point it at a local stand-in); https unless loopback.</summary>
    public const string PaymentsStripeApiBase = "Payments__Stripe__ApiBase";

    /// <summary>Optional: retries Stripe.net makes itself on a network failure, 409 or 5xx (default 2) before the message is retried.</summary>
    public const string PaymentsStripeMaxNetworkRetries = "Payments__Stripe__MaxNetworkRetries";

    /// <summary>Days the audit log keeps an entry (Cosmos DB per-item TTL; 0 keeps them): the Bicep parameter auditRetentionDays per environment.</summary>
    public const string AuditRetentionDays = "Audit__RetentionDays";

    /// <summary>Local development only: webhook endpoints on loopback addresses, over http too (refused outside Development).</summary>
    public const string WebhooksAllowLoopback = "Webhooks__AllowLoopback";

    /// <summary>
    /// Application Insights' connection string (instrumentation key and ingestion endpoint: identifies the resource, is no
    /// secret, and with local auth disabled cannot write without an Entra token). Set: the worker exports to Azure Monitor.
    /// </summary>
    public const string ApplicationInsightsConnectionString = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>Read by the Functions host, not the app: Entra authentication for its own telemetry (Authorization=AAD;ClientId=...).</summary>
    public const string ApplicationInsightsAuthenticationString = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>Local development: an OTLP endpoint (the Aspire dashboard run-local.sh starts). Set: the worker exports over OTLP.</summary>
    public const string OtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The app's own settings, needed in Azure and locally alike.</summary>
    private static readonly string[] RequiredEverywhere =
    [
        ServiceBusNamespace,
        CosmosAccountEndpoint,
        CosmosDatabaseName,
        AuthAuthority,
        AuthAudiences,
        EmailSmtpHost,
        EmailSmtpPort,
        EmailFromAddress,
    ];

    /// <summary>Settings the app cannot start without in Azure (host storage settings are checked by the infra tests separately).</summary>
    public static IReadOnlyList<string> RequiredInAzure { get; } = [.. RequiredEverywhere, AuthOperatorDirectoryId, EmailUserName, EmailPassword, PaymentsProvider, PaymentsStripeSecretKey, PaymentsStripeWebhookSecret, AuditRetentionDays];

    /// <summary>Development-only switches: local.settings.sample.json turns them on, infra/ never sets them, and the app refuses them outside Development.</summary>
    public static IReadOnlyList<string> DevelopmentOnly { get; } =
    [
        AuthUseDevelopmentKey,
        CosmosAllowUntrustedLoopbackCertificate,
        WebhooksAllowLoopback,
    ];

    /// <summary>Settings a local run needs in local.settings.json.</summary>
    public static IReadOnlyList<string> RequiredLocally { get; } = ["AzureWebJobsStorage", FunctionsWorkerRuntime, .. RequiredEverywhere];
}
