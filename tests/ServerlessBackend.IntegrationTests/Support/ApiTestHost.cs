using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moq;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Features.Audit;
using ServerlessBackend.Functions.Features.Catalog;
using ServerlessBackend.Functions.Features.Orders;
using ServerlessBackend.Functions.Features.Privacy;
using ServerlessBackend.Functions.Features.Tenants;
using ServerlessBackend.Functions.Features.Webhooks;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Hosting;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Audit;
using ServerlessBackend.Functions.Shared.Catalog;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Functions.Shared.Metrics;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Functions.Shared.Tenancy;

namespace ServerlessBackend.Tests.Support;

/// <summary>
/// Calls HTTP functions the way the worker does: the app's exception and authentication middleware
/// around the function, a real DefaultHttpContext, the returned IResult executed. Services come from the
/// app's own AddProductLookup/AddOrderDocuments/AddCatalog/AddOrders over the Cosmos-protocol server; IOrderOutbox is a mock (answering
/// with the written version, as if marking had not changed it) unless a test passes the real one (the end-to-end tests do);
/// the app's metrics likewise (their own meter factory unless a test passes the ones it captures).
/// </summary>
public sealed class ApiTestHost
{
    private const string HttpContextKey = "HttpRequestContext";

    private readonly ServiceProvider _services;

    public ApiTestHost(
        CosmosServerFixture cosmos, TimeProvider? clock = null, IOrderOutbox? outbox = null, ISigningConfiguration? signing = null, AppMetrics? metrics = null,
        ILoggerFactory? loggers = null, AuthOptions? auth = null, bool onboardAtFirstRequest = true)
        : this(cosmos?.Containers ?? throw new ArgumentNullException(nameof(cosmos)), clock, outbox, signing, metrics, loggers, auth, onboardAtFirstRequest)
    {
    }

    // loggers: where the middleware and handlers log (the app's OpenTelemetry logging in the telemetry tests); nowhere by default.
    // auth and signing: the token settings and issuer (TestTokens' by default). onboardAtFirstRequest: the tenant allow-list
    // as the development key runs it (a tenant's first request onboards it), so the API tests need no onboarding step;
    // false: as in Azure, only tenants onboarded through the operator routes are let in (TenantOnboardingTests).
    public ApiTestHost(
        CosmosContainers containers, TimeProvider? clock = null, IOrderOutbox? outbox = null, ISigningConfiguration? signing = null, AppMetrics? metrics = null,
        ILoggerFactory? loggers = null, AuthOptions? auth = null, bool onboardAtFirstRequest = true)
    {
        Publisher
            .Setup(p => p.PublishAfterWriteAsync(It.IsAny<Versioned<Order>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((Versioned<Order> written, CancellationToken _) => written);
        var services = new ServiceCollection();
        services.AddLogging();
        if (loggers is not null)
        {
            services.AddSingleton(loggers);
        }

        services.AddSingleton(clock ?? TimeProvider.System);
        services.AddSingleton(containers);
        services.AddSingleton(outbox ?? Publisher.Object);
        services.AddSingleton(Options.Create(auth ?? TestTokens.Options));
        services.AddSingleton(signing ?? Tokens.SigningConfiguration());
        services.AddSingleton<BearerAuthenticator>();
        services.AddTenantDirectory(onboardAtFirstRequest);
        services.AddSingleton<CallerAdmission>();
        services.AddTenants();
        services.AddAudit(new ConfigurationBuilder().Build());
        services.AddAuditRoute();
        services.AddSingleton<AuditFunctions>();
        if (metrics is not null)
        {
            services.AddSingleton(metrics);
        }

        services.AddAppMetrics();
        services.AddProductLookup();
        services.AddOrderDocuments();
        services.AddCatalog();
        services.AddOrders();
        services.AddSingleton<CatalogFunctions>();
        services.AddSingleton<OrdersFunctions>();
        services.AddSingleton<RefundsFunctions>();
        services.AddSingleton<TenantsFunctions>();

        // Webhooks as in Development with loopback endpoints allowed (the tests' receivers listen on 127.0.0.1), DNS answers
        // from Resolver, attempts sent to Bus.
        var webhookSettings = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [AppSettings.ConfigurationKey(AppSettings.WebhooksAllowLoopback)] = "true" })
            .Build();
        services.AddWebhooks(webhookSettings, Mock.Of<IHostEnvironment>(e => e.EnvironmentName == Environments.Development));
        services.AddSingleton<IHostResolver>(Resolver);
        services.AddSingleton(Bus.Sender.Object);
        services.AddSingleton<OrderEventDelivery>();
        services.AddSingleton<WebhooksFunctions>();
        services.AddSingleton<WebhookDeliveryFunction>();
        services.AddPrivacy();
        services.AddSingleton<PersonalDataFunctions>();
        _services = services.BuildServiceProvider();
    }

    public TestTokens Tokens { get; } = new();

    public Mock<IOrderOutbox> Publisher { get; } = new();

    /// <summary>DNS answers for webhook hosts (the webhook guard's resolver).</summary>
    public TestHostResolver Resolver { get; } = new();

    /// <summary>The orders topic's sender as the webhooks consumer uses it.</summary>
    public ServiceBusCapture Bus { get; } = new();

    public WebhooksFunctions Webhooks => Get<WebhooksFunctions>();

    public PersonalDataFunctions Privacy => Get<PersonalDataFunctions>();

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    public CatalogFunctions Catalog => Get<CatalogFunctions>();

    public OrdersFunctions Orders => Get<OrdersFunctions>();

    public RefundsFunctions Refunds => Get<RefundsFunctions>();

    public TenantsFunctions Tenants => Get<TenantsFunctions>();

    public AuditFunctions Audit => Get<AuditFunctions>();

    /// <summary>Puts the tenant on the allow-list, as an operator's PUT /v1/operator/tenants/{id} would (active).</summary>
    public Task OnboardAsync(string tenantId, TenantStatus status = TenantStatus.Active)
    {
        var now = DateTimeOffset.UtcNow;
        var record = new TenantRecord { TenantId = tenantId, DisplayName = tenantId, Status = status, CreatedAt = now, UpdatedAt = now };
        return Get<ITenantStore>().CreateAsync(record, CancellationToken.None);
    }

    /// <summary>Sends a request through the middleware to <paramref name="function"/> and returns the response.</summary>
    public async Task<TestResponse> SendAsync(
        string method, string path, Func<HttpRequest, CancellationToken, Task<IResult>> function,
        string? token = null, string? body = null, IDictionary<string, string>? headers = null, string? entryPoint = null)
    {
        ArgumentNullException.ThrowIfNull(function);

        // The function the host routes this request to, so the attributes declared on it ([AdminOnly], [PublicEndpoint]) apply.
        entryPoint ??= await FunctionsMetadata.EntryPointForAsync(method, path) ?? "ServerlessBackend.Functions.Unrouted.Run";
        var allHeaders = new Dictionary<string, string>(headers ?? new Dictionary<string, string>());
        if (token is not null)
        {
            allHeaders["Authorization"] = $"Bearer {token}";
        }

        var http = HttpTestContext.Create(method, path, body, allHeaders);
        var definition = new Mock<FunctionDefinition>();
        definition.SetupGet(d => d.EntryPoint).Returns(entryPoint);
        definition.SetupGet(d => d.Name).Returns(entryPoint[(entryPoint.LastIndexOf('.') + 1)..]);
        var context = new Mock<FunctionContext>();
        context.SetupGet(c => c.Items).Returns(new Dictionary<object, object> { [HttpContextKey] = http.Context });
        context.SetupGet(c => c.FunctionDefinition).Returns(definition.Object);
        context.SetupGet(c => c.CancellationToken).Returns(CancellationToken.None);

        // The invocation's span, as the worker starts one (unless the test plays the worker itself).
        using var invocation = Activity.Current is null ? new Activity($"function {definition.Object.Name}").SetIdFormat(ActivityIdFormat.W3C).Start() : null;
        IResult? result = null;
        // The app's HTTP pipeline, in UseHttpApi's order.
        var exceptions = new ExceptionProblemsMiddleware(Get<ILogger<ExceptionProblemsMiddleware>>());
        var authentication = new AuthenticationMiddleware(Get<BearerAuthenticator>(), Get<CallerAdmission>());
        var telemetry = new RequestTelemetryMiddleware(Get<ILogger<RequestTelemetryMiddleware>>());
        await exceptions.Invoke(context.Object, c => authentication.Invoke(c, c2 => telemetry.Invoke(c2, async _ => result = await function(http.Request, CancellationToken.None))));

        return result is null ? await http.ReadResponseAsync() : await http.ExecuteAsync(result);
    }
}
