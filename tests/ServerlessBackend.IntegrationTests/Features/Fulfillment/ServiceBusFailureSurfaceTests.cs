using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Features.Fulfillment;

/// <summary>
/// A Service Bus invocation's failure must reach the host (which abandons the message for retry and
/// dead-lettering): the app's HTTP middleware is not applied to it, and would not swallow it if it were.
/// </summary>
public sealed class ServiceBusFailureSurfaceTests
{
    [Theory]
    [InlineData("Fulfillment", false)]
    [InlineData("Email", false)]
    [InlineData("OutboxRelay", false)]
    [InlineData("DeadLetters", true)]
    public void The_HTTP_pipeline_applies_to_HTTP_triggers_only(string function, bool expected)
    {
        var context = ContextFor(function);

        Assert.Equal(expected, HttpApiExtensions.IsHttpTriggered(context.Object));
    }

    [Fact]
    public async Task The_exception_middleware_rethrows_a_failure_of_a_function_without_an_HTTP_request()
    {
        var middleware = new ExceptionProblemsMiddleware(NullLogger<ExceptionProblemsMiddleware>.Instance);
        var context = ContextFor("Fulfillment");
        context.SetupGet(c => c.Items).Returns(new Dictionary<object, object>());

        await Assert.ThrowsAsync<PoisonMessageException>(() =>
            middleware.Invoke(context.Object, _ => throw new PoisonMessageException("m-1", "unknown event type")));
    }

    /// <summary>A FunctionContext whose definition carries the trigger binding type from the real functions.metadata.</summary>
    private static Mock<FunctionContext> ContextFor(string function)
    {
        var triggerType = FunctionsMetadata.Trigger(function).GetProperty("type").GetString()!;
        var binding = new Mock<BindingMetadata>();
        binding.SetupGet(b => b.Type).Returns(triggerType);
        var definition = new Mock<FunctionDefinition>();
        definition.SetupGet(d => d.Name).Returns(function);
        definition.SetupGet(d => d.InputBindings).Returns(System.Collections.Immutable.ImmutableDictionary<string, BindingMetadata>.Empty.Add("trigger", binding.Object));
        var context = new Mock<FunctionContext>();
        context.SetupGet(c => c.FunctionDefinition).Returns(definition.Object);
        return context;
    }
}
