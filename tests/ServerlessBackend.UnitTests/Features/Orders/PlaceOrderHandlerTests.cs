using Moq;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Features.Orders;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Catalog;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.UnitTests.Features.Orders;

public sealed class PlaceOrderHandlerTests : IDisposable
{
    private static readonly Caller Alice = new("t1", "alice", "alice@example.test", IsAdmin: false);
    private static readonly PlaceOrderRequest Request = new([new OrderLineRequest("SKU-1", 2)], null);

    private readonly Mock<IOrderStore> _orders = new();
    private readonly Mock<IProductLookup> _products = new();
    private readonly Mock<IOrderOutbox> _publisher = new();
    private readonly MetricsCapture _metrics = new();

    public PlaceOrderHandlerTests()
    {
        _products.Setup(p => p.GetManyAsync("t1", It.IsAny<IReadOnlyCollection<string>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync([TestData.Product("t1", "SKU-1", price: 4.25m)]);
        _publisher.Setup(p => p.PublishAfterWriteAsync(It.IsAny<Versioned<Order>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((Versioned<Order> written, CancellationToken _) => written);
    }

    private PlaceOrderHandler Handler => new(_orders.Object, _products.Object, _publisher.Object, TimeProvider.System, _metrics.App);

    [Fact]
    public void The_order_id_is_stable_per_tenant_customer_and_key_and_differs_otherwise()
    {
        var id = PlaceOrderHandler.OrderId(Alice, "k1");

        Assert.Equal(id, PlaceOrderHandler.OrderId(Alice, "k1"));
        Assert.Matches("^ord-[0-9a-f]{32}$", id);
        Assert.NotEqual(id, PlaceOrderHandler.OrderId(Alice, "k2"));
        Assert.NotEqual(id, PlaceOrderHandler.OrderId(Alice with { UserId = "bob" }, "k1"));
        Assert.NotEqual(id, PlaceOrderHandler.OrderId(Alice with { TenantId = "t2" }, "k1"));
    }

    [Fact]
    public async Task The_create_is_one_write_of_a_pending_order_priced_from_the_catalog()
    {
        Order? written = null;
        _orders.Setup(o => o.CreateAsync(It.IsAny<Order>(), It.IsAny<CancellationToken>())).Callback<Order, CancellationToken>((o, _) => written = o).ReturnsAsync("\"e1\"");

        var outcome = await Handler.HandleAsync(Alice, "k1", Request, CancellationToken.None);

        Assert.Null(outcome.Error);
        Assert.Equal((8.5m, OrderStatus.Pending, "alice@example.test"), (written!.Total, written.Status, written.ContactEmail));
        Assert.Equal(PlaceOrderHandler.OrderId(Alice, "k1"), written.Id);
        Assert.Equal(PlaceOrderHandler.Hash(Request), written.RequestHash);
        _orders.Verify(o => o.CreateAsync(It.IsAny<Order>(), It.IsAny<CancellationToken>()), Times.Once);
        _orders.Verify(o => o.GetPlacementAsync("t1", written.Id, It.IsAny<CancellationToken>()), Times.Once);
        _publisher.Verify(p => p.PublishAfterWriteAsync(It.Is<Versioned<Order>>(w => w.Value.TenantId == "t1" && w.Value.Id == written.Id && w.ETag == "\"e1\""), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task A_conflict_whose_order_cannot_be_read_surfaces_as_a_failure_not_a_false_success()
    {
        _orders.Setup(o => o.CreateAsync(It.IsAny<Order>(), It.IsAny<CancellationToken>())).ThrowsAsync(new DocumentConflictException("x"));
        _orders.Setup(o => o.GetPlacementAsync("t1", It.IsAny<string>(), It.IsAny<CancellationToken>())).ReturnsAsync((Placement?)null);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Handler.HandleAsync(Alice, "k1", Request, CancellationToken.None));
        _publisher.VerifyNoOtherCalls();
    }

    /// <summary>
    /// A retry is decided before anything only the first attempt had to pass. This one comes with a
    /// token without an email, for a product the catalog no longer has: it is still the replay, from one read.
    /// </summary>
    [Fact]
    public async Task A_retry_is_answered_from_the_stored_order_before_the_email_the_body_rules_or_the_catalog_are_consulted()
    {
        var stored = TestData.Order("t1", "alice") with { RequestHash = PlaceOrderHandler.Hash(Request) };
        _orders.Setup(o => o.GetPlacementAsync("t1", PlaceOrderHandler.OrderId(Alice, "k1"), It.IsAny<CancellationToken>())).ReturnsAsync(new Placement(new Versioned<Order>(stored, "\"e1\""), null));

        var outcome = await Handler.HandleAsync(Alice with { Email = null }, "k1", Request, CancellationToken.None);

        Assert.True(outcome.Value!.Replayed);
        Assert.Equal("\"e1\"", outcome.Value.ETag);
        _products.VerifyNoOtherCalls();
        _orders.Verify(o => o.CreateAsync(It.IsAny<Order>(), It.IsAny<CancellationToken>()), Times.Never);
        _orders.Verify(o => o.CreateRefusalAsync(It.IsAny<RefusedPlacement>(), It.IsAny<CancellationToken>()), Times.Never);
        _publisher.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task A_refusal_is_recorded_at_the_order_id_and_a_refusal_that_lost_the_race_answers_the_winners_order()
    {
        var stored = TestData.Order("t1", "alice") with { RequestHash = PlaceOrderHandler.Hash(Request) };
        _products.Setup(p => p.GetManyAsync("t1", It.IsAny<IReadOnlyCollection<string>>(), It.IsAny<CancellationToken>())).ReturnsAsync([TestData.Product("t1", "SKU-1", active: false)]);
        _orders.SetupSequence(o => o.GetPlacementAsync("t1", PlaceOrderHandler.OrderId(Alice, "k1"), It.IsAny<CancellationToken>()))
            .ReturnsAsync((Placement?)null)
            .ReturnsAsync(new Placement(new Versioned<Order>(stored, "\"e1\""), null));
        RefusedPlacement? recorded = null;
        _orders.Setup(o => o.CreateRefusalAsync(It.IsAny<RefusedPlacement>(), It.IsAny<CancellationToken>()))
            .Callback<RefusedPlacement, CancellationToken>((r, _) => recorded = r)
            .ThrowsAsync(new DocumentConflictException("x"));

        var outcome = await Handler.HandleAsync(Alice, "k1", Request, CancellationToken.None);

        Assert.True(outcome.Value!.Replayed);
        Assert.Equal((PlaceOrderHandler.OrderId(Alice, "k1"), "t1", "alice", PlaceOrderHandler.Hash(Request)), (recorded!.Id, recorded.TenantId, recorded.CustomerId, recorded.RequestHash));
        Assert.Equal(ProblemKind.Unprocessable, recorded.Refusal.Kind);
        Assert.Equal(["lines[0].productId"], recorded.Refusal.Errors!.Keys);
        _orders.Verify(o => o.CreateAsync(It.IsAny<Order>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task A_stored_refusal_answers_a_retry_with_the_same_body_and_a_422_to_another_body()
    {
        var refusal = ApiError.Field("contactEmail", "Required.");
        _orders.Setup(o => o.GetPlacementAsync("t1", PlaceOrderHandler.OrderId(Alice, "k1"), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new Placement(null, new RefusedPlacement { Id = "x", TenantId = "t1", CustomerId = "alice", RequestHash = PlaceOrderHandler.Hash(Request), RefusedAt = TestData.Now, Refusal = refusal }));

        var retry = await Handler.HandleAsync(Alice, "k1", Request, CancellationToken.None);
        var other = await Handler.HandleAsync(Alice, "k1", Request with { ContactEmail = "alice@example.test" }, CancellationToken.None);

        Assert.Same(refusal, retry.Error);
        Assert.Equal(ProblemKind.Unprocessable, other.Error!.Kind);
        _products.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task Only_a_first_create_counts_as_placed_not_its_replay_a_refusal_or_a_create_that_lost_the_race()
    {
        Order? created = null;
        var firstId = PlaceOrderHandler.OrderId(Alice, "k1");
        _orders.Setup(o => o.CreateAsync(It.Is<Order>(c => c.Id == firstId), It.IsAny<CancellationToken>()))
            .Callback<Order, CancellationToken>((o, _) => created = o).ReturnsAsync("\"e1\"");
        _orders.Setup(o => o.GetPlacementAsync("t1", firstId, It.IsAny<CancellationToken>()))
            .ReturnsAsync(() => created is null ? null : new Placement(new Versioned<Order>(created, "\"e1\""), null));
        var racedId = PlaceOrderHandler.OrderId(Alice, "k2");
        var winner = TestData.Order("t1", "alice") with { Id = racedId, RequestHash = PlaceOrderHandler.Hash(Request) };
        _orders.Setup(o => o.CreateAsync(It.Is<Order>(c => c.Id == racedId), It.IsAny<CancellationToken>())).ThrowsAsync(new DocumentConflictException(racedId));
        _orders.SetupSequence(o => o.GetPlacementAsync("t1", racedId, It.IsAny<CancellationToken>()))
            .ReturnsAsync((Placement?)null)
            .ReturnsAsync(new Placement(new Versioned<Order>(winner, "\"w1\""), null));

        var first = await Handler.HandleAsync(Alice, "k1", Request, CancellationToken.None);
        var replay = await Handler.HandleAsync(Alice, "k1", Request, CancellationToken.None);
        var raced = await Handler.HandleAsync(Alice, "k2", Request, CancellationToken.None);
        var refused = await Handler.HandleAsync(Alice with { Email = null }, "k3", Request, CancellationToken.None);

        Assert.Equal((false, true, true), (first.Value!.Replayed, replay.Value!.Replayed, raced.Value!.Replayed));
        Assert.NotNull(refused.Error);
        var placed = Assert.Single(_metrics.Of("orders.placed"));
        Assert.Equal(1, placed.Value);
        Assert.Equal(new Dictionary<string, string?> { ["tenant.id"] = "t1" }, placed.Tags);
    }

    public void Dispose() => _metrics.Dispose();
}
