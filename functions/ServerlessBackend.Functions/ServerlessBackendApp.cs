using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using ServerlessBackend.Functions.Features.Audit;
using ServerlessBackend.Functions.Features.Catalog;
using ServerlessBackend.Functions.Features.Email;
using ServerlessBackend.Functions.Features.Fulfillment;
using ServerlessBackend.Functions.Features.Operations;
using ServerlessBackend.Functions.Features.Orders;
using ServerlessBackend.Functions.Features.Outbox;
using ServerlessBackend.Functions.Features.Payments;
using ServerlessBackend.Functions.Features.Privacy;
using ServerlessBackend.Functions.Features.Tenants;
using ServerlessBackend.Functions.Features.Webhooks;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Hosting;
using ServerlessBackend.Functions.Platform.Telemetry;
using ServerlessBackend.Functions.Shared.Audit;
using ServerlessBackend.Functions.Shared.Catalog;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Functions.Shared.Metrics;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Functions.Shared.Tenancy;

namespace ServerlessBackend.Functions;

/// <summary>
/// The composition root: the HTTP middleware and one AddX per area. Program.cs applies it to the Functions worker; the
/// tests' local host (tests/ServerlessBackend.LocalHost) applies the same to its own builder, so both run one app.
/// </summary>
public static class ServerlessBackendApp
{
    public static FunctionsApplicationBuilder AddServerlessBackend(this FunctionsApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        Compose(builder, builder.Configuration, builder.Environment);
        return builder;
    }

    public static void Compose(IFunctionsWorkerApplicationBuilder worker, IConfiguration configuration, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(worker);
        worker.UseHttpApi();
        var services = worker.Services;
        services.AddServerlessBackendHosting(configuration);
        services.AddAppTelemetry(configuration);
        services.AddAppMetrics();
        services.AddMessaging(configuration);
        services.AddEmail(configuration);
        services.AddHttpApi(configuration, environment);
        services.AddTenantDirectory();
        services.AddCosmos(configuration, environment);
        services.AddAudit(configuration);
        services.AddProductLookup();
        services.AddOrderDocuments();
        services.AddCatalog();
        services.AddOrders();
        services.AddOutbox();
        services.AddFulfillment();
        services.AddPayments(configuration, environment);
        services.AddOperations();
        services.AddTenants();
        services.AddAuditRoute();
        services.AddWebhooks(configuration, environment);
        services.AddPrivacy();
    }
}
