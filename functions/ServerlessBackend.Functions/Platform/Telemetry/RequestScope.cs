using Microsoft.Azure.Functions.Worker;

namespace ServerlessBackend.Functions.Platform.Telemetry;

/// <summary>The log scope of an HTTP invocation (its tenant and order), kept on the context for the middleware outside the one that opened it.</summary>
public static class RequestScope
{
    private const string Item = "ServerlessBackend.RequestTelemetryScope";

    public static void Keep(FunctionContext context, IReadOnlyDictionary<string, object> scope)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[Item] = scope;
    }

    /// <summary>The scope kept for the invocation, if it got that far (an authenticated caller).</summary>
    public static IReadOnlyDictionary<string, object>? Of(FunctionContext context) =>
        context?.Items.TryGetValue(Item, out var scope) == true ? scope as IReadOnlyDictionary<string, object> : null;
}
