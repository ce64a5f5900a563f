using System.Diagnostics;

namespace ServerlessBackend.Functions.Platform.Telemetry;

/// <summary>
/// Which context a span continues when work resumes from a recorded <c>traceparent</c> (an event in the outbox, a
/// message on the topic). The recorded context is the parent, so one order's journey is one trace; the span that is
/// current (the Functions invocation) is linked when it belongs to another trace, and is the parent itself when the
/// host already continued the recorded trace.
/// </summary>
public static class TraceContinuation
{
    public static Activity? StartActivity(string name, ActivityKind kind, string? traceParent, IEnumerable<KeyValuePair<string, object?>>? tags = null)
    {
        var current = Activity.Current;
        if (!ActivityContext.TryParse(traceParent, null, out var recorded) || (current is not null && current.TraceId == recorded.TraceId))
        {
            return AppTelemetry.Source.StartActivity(name, kind, parentContext: current?.Context ?? default, tags);
        }

        var links = current is null ? null : new[] { new ActivityLink(current.Context) };
        return AppTelemetry.Source.StartActivity(name, kind, recorded, tags, links);
    }

    /// <summary>
    /// The traceparent a message sent now carries: the current span when it continues <paramref name="recorded"/>
    /// (publish right after the write), otherwise the recorded one (the relay publishing later, under its own trace).
    /// </summary>
    public static string? ForMessage(string? recorded)
    {
        var current = Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity : null;
        if (!ActivityContext.TryParse(recorded, null, out var context))
        {
            return current?.Id;
        }

        return current is not null && current.TraceId == context.TraceId ? current.Id : recorded;
    }
}
