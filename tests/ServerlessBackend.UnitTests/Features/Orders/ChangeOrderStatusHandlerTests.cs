using Moq;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Features.Orders;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Audit;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.UnitTests.Features.Orders;

/// <summary>Races the Cosmos-protocol server cannot stage on demand, with a mocked store.</summary>
public sealed class ChangeOrderStatusHandlerTests : IDisposable
{
    private readonly Mock<IOrderStore> _store = new();
    private readonly Mock<IOrderOutbox> _publisher = new();
    private readonly MetricsCapture _metrics = new();
    private readonly Caller _alice = new("t1", "customer-1", "a@example.test", IsAdmin: false);

    public ChangeOrderStatusHandlerTests() =>
        _publisher.Setup(p => p.PublishAfterWriteAsync(It.IsAny<Versioned<Order>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((Versioned<Order> written, CancellationToken _) => written);

    private ChangeOrderStatusHandler Handler => new(_store.Object, new OrderTransitions(_store.Object, _publisher.Object, TimeProvider.System, _metrics.App, AuditTrails.Default()));

    [Fact]
    public async Task When_the_payment_step_confirms_between_read_and_write_the_cancel_reads_again_and_cancels_the_confirmed_order()
    {
        var pending = TestData.Order("t1");
        var confirmed = TestData.Advanced(pending, OrderStatus.Confirmed);
        _store.SetupSequence(s => s.GetAsync("t1", pending.Id, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new Versioned<Order>(pending, "\"v1\""))
            .ReturnsAsync(new Versioned<Order>(confirmed, "\"v2\""));
        _store.Setup(s => s.ReplaceAsync(It.IsAny<Order>(), "\"v1\"", It.IsAny<AuditEntry?>(), It.IsAny<CancellationToken>())).ThrowsAsync(new DocumentPreconditionFailedException(pending.Id));
        _store.Setup(s => s.ReplaceAsync(It.IsAny<Order>(), "\"v2\"", It.IsAny<AuditEntry?>(), It.IsAny<CancellationToken>())).ReturnsAsync("\"v3\"");

        var outcome = await Handler.CancelAsync(_alice, pending.Id, ifMatch: null, CancellationToken.None);

        Assert.Null(outcome.Error);
        Assert.Equal("\"v3\"", outcome.Value!.ETag);
        Assert.Equal([OrderStatus.Pending, OrderStatus.AwaitingPayment, OrderStatus.Confirmed, OrderStatus.Cancelled], outcome.Value.Value.StatusHistory.Select(h => h.Status));
        _publisher.Verify(p => p.PublishAfterWriteAsync(It.Is<Versioned<Order>>(w => w.Value.Id == pending.Id && w.ETag == "\"v3\"" && w.Value.Status == OrderStatus.Cancelled), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task When_the_order_ships_between_read_and_write_the_cancel_is_a_409()
    {
        var confirmed = TestData.Advanced(TestData.Order("t1"), OrderStatus.Confirmed);
        var shipped = confirmed.TransitionTo(OrderStatus.Shipped, TestData.Now, null, null);
        _store.SetupSequence(s => s.GetAsync("t1", confirmed.Id, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new Versioned<Order>(confirmed, "\"v1\""))
            .ReturnsAsync(new Versioned<Order>(shipped, "\"v2\""));
        _store.Setup(s => s.ReplaceAsync(It.IsAny<Order>(), "\"v1\"", It.IsAny<AuditEntry?>(), It.IsAny<CancellationToken>())).ThrowsAsync(new DocumentPreconditionFailedException(confirmed.Id));

        var outcome = await Handler.CancelAsync(_alice, confirmed.Id, ifMatch: null, CancellationToken.None);

        Assert.Equal(ProblemKind.Conflict, outcome.Error!.Kind);
        _publisher.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task With_if_match_a_race_is_412_after_one_more_read_and_never_a_second_write()
    {
        var pending = TestData.Order("t1");
        var confirmed = TestData.Advanced(pending, OrderStatus.Confirmed);
        _store.SetupSequence(s => s.GetAsync("t1", pending.Id, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new Versioned<Order>(pending, "\"v1\""))
            .ReturnsAsync(new Versioned<Order>(confirmed, "\"v2\""));
        _store.Setup(s => s.ReplaceAsync(It.IsAny<Order>(), "\"v1\"", It.IsAny<AuditEntry?>(), It.IsAny<CancellationToken>())).ThrowsAsync(new DocumentPreconditionFailedException(pending.Id));

        var outcome = await Handler.CancelAsync(_alice, pending.Id, ifMatch: "\"v1\"", CancellationToken.None);

        Assert.Equal(ProblemKind.PreconditionFailed, outcome.Error!.Kind);
        _store.Verify(s => s.ReplaceAsync(It.IsAny<Order>(), It.IsAny<string>(), It.IsAny<AuditEntry?>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    /// <summary>Two attempts of one cancel (a retry while the first still runs): the one that loses the race is told the order is cancelled, not 412.</summary>
    [Fact]
    public async Task With_if_match_a_race_lost_to_a_cancel_is_the_cancelled_order()
    {
        var pending = TestData.Order("t1");
        var cancelled = pending.TransitionTo(OrderStatus.Cancelled, TestData.Now, "Cancelled by the customer", null);
        _store.SetupSequence(s => s.GetAsync("t1", pending.Id, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new Versioned<Order>(pending, "\"v1\""))
            .ReturnsAsync(new Versioned<Order>(cancelled, "\"v2\""));
        _store.Setup(s => s.ReplaceAsync(It.IsAny<Order>(), "\"v1\"", It.IsAny<AuditEntry?>(), It.IsAny<CancellationToken>())).ThrowsAsync(new DocumentPreconditionFailedException(pending.Id));

        var outcome = await Handler.CancelAsync(_alice, pending.Id, ifMatch: "\"v1\"", CancellationToken.None);

        Assert.Equal(("\"v2\"", OrderStatus.Cancelled), (outcome.Value!.ETag, outcome.Value.Value.Status));
        _publisher.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task Endless_races_without_if_match_give_up_after_three_attempts_with_a_409_as_no_precondition_was_sent()
    {
        var pending = TestData.Order("t1");
        _store.Setup(s => s.GetAsync("t1", pending.Id, It.IsAny<CancellationToken>())).ReturnsAsync(new Versioned<Order>(pending, "\"v1\""));
        _store.Setup(s => s.ReplaceAsync(It.IsAny<Order>(), It.IsAny<string>(), It.IsAny<AuditEntry?>(), It.IsAny<CancellationToken>())).ThrowsAsync(new DocumentPreconditionFailedException(pending.Id));

        var outcome = await Handler.CancelAsync(_alice, pending.Id, ifMatch: null, CancellationToken.None);

        Assert.Equal(ProblemKind.Conflict, outcome.Error!.Kind);
        _store.Verify(s => s.ReplaceAsync(It.IsAny<Order>(), It.IsAny<string>(), It.IsAny<AuditEntry?>(), It.IsAny<CancellationToken>()), Times.Exactly(3));
    }

    [Fact]
    public async Task A_status_change_counts_once_per_replace_that_succeeded_by_tenant_and_target_status_and_a_lost_race_counts_nothing()
    {
        var pending = TestData.Order("t1");
        var confirmed = TestData.Advanced(pending, OrderStatus.Confirmed);
        var stuck = TestData.Order("t1");
        _store.SetupSequence(s => s.GetAsync("t1", pending.Id, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new Versioned<Order>(pending, "\"v1\""))
            .ReturnsAsync(new Versioned<Order>(confirmed, "\"v2\""));
        _store.Setup(s => s.ReplaceAsync(It.Is<Order>(o => o.Id == pending.Id), "\"v1\"", It.IsAny<AuditEntry?>(), It.IsAny<CancellationToken>())).ThrowsAsync(new DocumentPreconditionFailedException(pending.Id));
        _store.Setup(s => s.ReplaceAsync(It.Is<Order>(o => o.Id == pending.Id), "\"v2\"", It.IsAny<AuditEntry?>(), It.IsAny<CancellationToken>())).ReturnsAsync("\"v3\"");
        _store.Setup(s => s.GetAsync("t1", stuck.Id, It.IsAny<CancellationToken>())).ReturnsAsync(new Versioned<Order>(stuck, "\"s1\""));
        _store.Setup(s => s.ReplaceAsync(It.Is<Order>(o => o.Id == stuck.Id), It.IsAny<string>(), It.IsAny<AuditEntry?>(), It.IsAny<CancellationToken>())).ThrowsAsync(new DocumentPreconditionFailedException(stuck.Id));

        Assert.Null((await Handler.CancelAsync(_alice, pending.Id, ifMatch: null, CancellationToken.None)).Error);
        Assert.NotNull((await Handler.CancelAsync(_alice, stuck.Id, ifMatch: null, CancellationToken.None)).Error);

        var change = Assert.Single(_metrics.Of("orders.status_changes"));
        Assert.Equal(1, change.Value);
        Assert.Equal(new Dictionary<string, string?> { ["tenant.id"] = "t1", ["order.status"] = "cancelled" }, change.Tags);
    }

    public void Dispose() => _metrics.Dispose();
}
