using System.Diagnostics;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ServerlessBackend.Functions.Shared.Audit;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.UnitTests.Shared.Audit;

public sealed class AuditTrailTests
{
    private static readonly AuditAction Action = new(AuditActor.System("test"), "order.cancelled");

    [Fact]
    public void An_entry_holds_only_the_listed_fields_that_changed_never_the_others()
    {
        var before = TestData.Order("t1");
        var after = TestData.Advanced(before, Functions.Domain.Orders.OrderStatus.Cancelled);

        var entry = AuditTrails.Default().Entry(Action, "t1", AuditResource.Order(before.Id), before, after, AuditFields.Order);

        Assert.Equal("""{"status":"pending"}""", entry.Before!.ToJsonString());
        Assert.Equal("""{"status":"cancelled"}""", entry.After!.ToJsonString());
        Assert.DoesNotContain("@", entry.Before.ToJsonString() + entry.After.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_id_sorts_by_time_and_the_entry_carries_the_trace_and_the_retention()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
        var trail = new AuditTrail(clock, Options.Create(new AuditOptions { RetentionDays = 30 }));
        using var activity = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();

        var first = trail.Entry(Action, "t1", AuditResource.Order("o1"), null, null, []);
        clock.Advance(TimeSpan.FromTicks(1));
        var second = trail.Entry(Action, "t1", AuditResource.Order("o1"), null, null, []);

        Assert.StartsWith("audit:2026-11-28T12:00:00.0000000Z:", first.Id, StringComparison.Ordinal);
        Assert.True(string.CompareOrdinal(second.Id, first.Id) > 0);
        Assert.Equal(activity.TraceId.ToString(), first.TraceId);
        Assert.Equal(30 * 24 * 3600, first.Ttl);
        Assert.Null(new AuditTrail(clock, Options.Create(new AuditOptions { RetentionDays = 0 })).Entry(Action, "t1", AuditResource.Order("o1"), null, null, []).Ttl);
    }
}
