using System.Diagnostics;
using ServerlessBackend.Functions.Platform.Telemetry;

namespace ServerlessBackend.UnitTests.Platform.Telemetry;

/// <summary>Which context a delivery span continues, for each way the host may have started the invocation.</summary>
public sealed class TraceContinuationTests : IDisposable
{
    private const string Recorded = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source.Name == AppTelemetry.Name,
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    public TraceContinuationTests() => ActivitySource.AddActivityListener(_listener);

    [Fact]
    public void An_invocation_in_another_trace_is_linked_and_the_recorded_context_is_the_parent()
    {
        using var invocation = new Activity("function Fulfillment").SetIdFormat(ActivityIdFormat.W3C).Start();

        using var delivery = TraceContinuation.StartActivity("fulfillment", ActivityKind.Consumer, Recorded)!;

        Assert.Equal("0af7651916cd43dd8448eb211c80319c", delivery.TraceId.ToHexString());
        Assert.Equal("b7ad6b7169203331", delivery.ParentSpanId.ToHexString());
        Assert.Equal(invocation.SpanId, Assert.Single(delivery.Links).Context.SpanId);
    }

    [Fact]
    public void An_invocation_the_host_started_in_the_recorded_trace_is_the_parent_and_nothing_is_linked()
    {
        using var invocation = new Activity("function Fulfillment").SetIdFormat(ActivityIdFormat.W3C).SetParentId(Recorded).Start();

        using var delivery = TraceContinuation.StartActivity("fulfillment", ActivityKind.Consumer, Recorded)!;

        Assert.Equal(invocation.TraceId, delivery.TraceId);
        Assert.Equal(invocation.SpanId, delivery.ParentSpanId);
        Assert.Empty(delivery.Links);
    }

    [Fact]
    public void Without_a_traceparent_the_invocation_is_the_parent()
    {
        using var invocation = new Activity("function Fulfillment").SetIdFormat(ActivityIdFormat.W3C).Start();

        using var delivery = TraceContinuation.StartActivity("fulfillment", ActivityKind.Consumer, "not a traceparent")!;

        Assert.Equal(invocation.SpanId, delivery.ParentSpanId);
        Assert.Empty(delivery.Links);
    }

    [Fact]
    public void A_message_sent_in_the_recorded_trace_names_the_publishing_span_and_one_sent_later_the_recorded_context()
    {
        using (var sameTrace = new Activity("publish").SetIdFormat(ActivityIdFormat.W3C).SetParentId(Recorded).Start())
        {
            Assert.Equal(sameTrace.Id, TraceContinuation.ForMessage(Recorded));
        }

        using var relay = new Activity("relay").SetIdFormat(ActivityIdFormat.W3C).Start();
        Assert.Equal(Recorded, TraceContinuation.ForMessage(Recorded));
        Assert.Equal(relay.Id, TraceContinuation.ForMessage(null));
    }

    public void Dispose() => _listener.Dispose();
}
