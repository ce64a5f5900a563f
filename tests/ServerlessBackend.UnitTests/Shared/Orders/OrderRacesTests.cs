using Moq;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.UnitTests.Shared.Orders;

/// <summary>The one "decide, write on the ETag, re-read and decide again after a lost race" loop.</summary>
public sealed class OrderRacesTests
{
    private readonly List<string> _decidedOn = [];
    private int _reads;

    [Fact]
    public async Task A_lost_race_reads_the_order_again_and_decides_on_the_version_read()
    {
        var result = await ETagRaces.DecideAsync("v1", Decide(losesOn: ["v1"]), Reread);

        Assert.Equal("written on v2", result);
        Assert.Equal(["v1", "v2"], _decidedOn);
        Assert.Equal(1, _reads);
    }

    [Fact]
    public async Task A_message_s_consumer_decides_five_times_at_most_then_the_last_lost_race_propagates()
    {
        await Assert.ThrowsAsync<DocumentPreconditionFailedException>(() => ETagRaces.DecideAsync("v1", Decide(losesOn: ["v1", "v2", "v3", "v4", "v5", "v6"]), Reread));

        Assert.Equal(["v1", "v2", "v3", "v4", "v5"], _decidedOn);
        Assert.Equal(4, _reads);
    }

    [Fact]
    public async Task The_caller_s_bound_applies_and_any_other_failure_propagates_without_a_read()
    {
        await Assert.ThrowsAsync<DocumentPreconditionFailedException>(() => ETagRaces.DecideAsync("v1", Decide(losesOn: ["v1", "v2", "v3"]), Reread, attempts: 3));
        Assert.Equal(["v1", "v2", "v3"], _decidedOn);

        _reads = 0;
        await Assert.ThrowsAsync<InvalidOrderTransitionException>(() =>
            ETagRaces.DecideAsync<string, string>("v1", _ => throw new InvalidOrderTransitionException(OrderStatus.Shipped, OrderStatus.Pending), Reread));
        Assert.Equal(0, _reads);
    }

    [Fact]
    public async Task Reading_again_an_order_that_is_gone_is_an_error_naming_it()
    {
        var order = TestData.Order("tenant-a", id: "o-1");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Mock.Of<IOrderStore>().RereadAsync(order, CancellationToken.None));

        Assert.Contains("tenant-a/o-1", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Decides on a version ("v1", "v2", ...): a lost race (412) on the versions named, else "written on" it.</summary>
    private Func<string, Task<string>> Decide(IReadOnlyCollection<string> losesOn) => version =>
    {
        _decidedOn.Add(version);
        return losesOn.Contains(version) ? throw new DocumentPreconditionFailedException("o-1") : Task.FromResult($"written on {version}");
    };

    private Task<string> Reread(string version)
    {
        _reads++;
        return Task.FromResult($"v{int.Parse(version[1..], System.Globalization.CultureInfo.InvariantCulture) + 1}");
    }
}
