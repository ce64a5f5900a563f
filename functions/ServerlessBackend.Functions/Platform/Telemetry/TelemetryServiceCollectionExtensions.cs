using Azure.Core;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using ServerlessBackend.Functions.Platform.Hosting;

namespace ServerlessBackend.Functions.Platform.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>The Azure SDK sources the app subscribes to: Cosmos DB operations, Service Bus sends and receives.</summary>
    public static IReadOnlyList<string> AzureSdkSources { get; } = ["Azure.Cosmos.Operation", "Azure.Messaging.ServiceBus.*"];

    /// <summary>MailKit's SMTP client source (connect, authenticate, send: server address and port, never a mailbox).</summary>
    public const string MailKitSmtpSource = "MailKit.Net.SmtpClient";

    /// <summary>MailKit's SMTP client meter (operation counts and durations per relay and status code).</summary>
    public const string MailKitSmtpMeter = "mailkit.net.smtp";

    /// <summary>
    /// The Azure SDKs (Cosmos DB, Service Bus) publish their spans through ActivitySource only behind this switch, which
    /// they read once, at their first operation: so it is set while composing, before any client is used.
    /// </summary>
    public static void EnableAzureSdkActivitySources() => AppContext.SetSwitch("Azure.Experimental.EnableActivitySource", true);

    /// <summary>
    /// OpenTelemetry in the worker: the Functions worker's invocation spans, the Azure SDKs', MailKit's and the app's own
    /// spans; the app's meter; logs with their scopes (tenant, order, event) and the trace id. Exported to Azure Monitor
    /// with the app's Entra credential when APPLICATIONINSIGHTS_CONNECTION_STRING is set, and over OTLP (the local
    /// dashboard) when OTEL_EXPORTER_OTLP_ENDPOINT is set; without either, nothing leaves the process.
    /// </summary>
    public static IServiceCollection AddAppTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        EnableAzureSdkActivitySources();
        services.AddAppCredential();

        var telemetry = services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .ConfigureResource(resource => resource.AddService(AppTelemetry.Name))
            .WithTracing(tracing => tracing
                .AddSource(AppTelemetry.Name, MailKitSmtpSource)
                .AddSource([.. AzureSdkSources]))
            .WithMetrics(metrics => metrics.AddMeter(AppTelemetry.Name, MailKitSmtpMeter))
            .WithLogging(configureBuilder: null, configureOptions: logging =>
            {
                logging.IncludeScopes = true;
                logging.IncludeFormattedMessage = true;
            });

        if (!string.IsNullOrWhiteSpace(configuration[AppSettings.ApplicationInsightsConnectionString]))
        {
            // Entra authentication with the app's managed identity: App Insights has local (key) auth disabled, so the
            // connection string alone can write nothing.
            services.AddOptions<AzureMonitorExporterOptions>().Configure<TokenCredential>((options, credential) => options.Credential = credential);
            telemetry.UseAzureMonitorExporter(options => options.ConnectionString = configuration[AppSettings.ApplicationInsightsConnectionString]);
        }

        if (!string.IsNullOrWhiteSpace(configuration[AppSettings.OtlpEndpoint]))
        {
            telemetry.UseOtlpExporter();
        }

        return services;
    }
}
