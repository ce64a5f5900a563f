using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Moq;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Telemetry;

namespace ServerlessBackend.UnitTests.Platform.Auth;

/// <summary>After authentication, the request's tenant (and the order its route names) reach its span and every log line of the function.</summary>
public sealed class RequestTelemetryMiddlewareTests
{
    private readonly FakeLoggerProvider _logs = new();

    [Fact]
    public async Task The_callers_tenant_and_the_routes_order_are_on_the_span_and_in_the_scope_of_each_log_line_without_the_callers_email()
    {
        using var factory = LoggerFactory.Create(b => b.AddProvider(_logs));
        using var invocation = new Activity("function GetOrder").SetIdFormat(ActivityIdFormat.W3C).Start();
        var http = new DefaultHttpContext();
        http.SetCaller(new Caller("shop-1", "alice", "alice@example.test", IsAdmin: false));

        await new RequestTelemetryMiddleware(factory.CreateLogger<RequestTelemetryMiddleware>())
            .Invoke(Context(http, new Dictionary<string, object?> { ["orderId"] = "ord-1" }), _ => Log(factory));

        Assert.Equal("shop-1", invocation.GetTagItem(TelemetryTags.TenantId));
        Assert.Equal("ord-1", invocation.GetTagItem(TelemetryTags.OrderId));
        var scope = Assert.Single(_logs.Collector.LatestRecord.Scopes.OfType<IReadOnlyDictionary<string, object>>());
        Assert.Equal("shop-1", scope[TelemetryTags.TenantId]);
        Assert.Equal("ord-1", scope[TelemetryTags.OrderId]);
        Assert.DoesNotContain(scope.Values, v => v.ToString()!.Contains('@', StringComparison.Ordinal));
        Assert.DoesNotContain(invocation.TagObjects, t => t.Value?.ToString()?.Contains('@', StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task A_route_without_an_order_gets_the_tenant_only_and_a_public_one_nothing()
    {
        using var factory = LoggerFactory.Create(b => b.AddProvider(_logs));
        var middleware = new RequestTelemetryMiddleware(factory.CreateLogger<RequestTelemetryMiddleware>());
        var http = new DefaultHttpContext();
        http.SetCaller(new Caller("shop-1", "alice", null, IsAdmin: false));

        using (var invocation = new Activity("function ListOrders").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            await middleware.Invoke(Context(http, []), _ => Log(factory));
            Assert.Equal("shop-1", invocation.GetTagItem(TelemetryTags.TenantId));
            Assert.Null(invocation.GetTagItem(TelemetryTags.OrderId));
        }

        Assert.False(Assert.Single(_logs.Collector.LatestRecord.Scopes.OfType<IReadOnlyDictionary<string, object>>()).ContainsKey(TelemetryTags.OrderId));

        using var anonymous = new Activity("function Health").SetIdFormat(ActivityIdFormat.W3C).Start();
        await middleware.Invoke(Context(new DefaultHttpContext(), []), _ => Log(factory));
        Assert.Empty(anonymous.TagObjects);
        Assert.Empty(_logs.Collector.LatestRecord.Scopes.OfType<IReadOnlyDictionary<string, object>>());
    }

    private static Task Log(ILoggerFactory factory)
    {
        factory.CreateLogger("Handler").LogInformation("handled");
        return Task.CompletedTask;
    }

    private static FunctionContext Context(HttpContext http, Dictionary<string, object?> bindingData)
    {
        var binding = new Mock<BindingContext>();
        binding.SetupGet(b => b.BindingData).Returns(bindingData);
        var context = new Mock<FunctionContext>();
        context.SetupGet(c => c.Items).Returns(new Dictionary<object, object> { ["HttpRequestContext"] = http });
        context.SetupGet(c => c.BindingContext).Returns(binding.Object);
        return context.Object;
    }
}
