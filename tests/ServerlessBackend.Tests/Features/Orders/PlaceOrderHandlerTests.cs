using Moq;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Features.Orders;
using ServerlessBackend.Functions.Shared.Auth;
using ServerlessBackend.Functions.Shared.Catalog;
using ServerlessBackend.Functions.Shared.Cosmos;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Tests.Infrastructure;

namespace ServerlessBackend.Tests.Features.Orders;

public sealed class PlaceOrderHandlerTests
{
    private static readonly Caller Alice = new("t1", "alice", "alice@example.test", IsAdmin: false);
    private static readonly PlaceOrderRequest Request = new([new OrderLineRequest("SKU-1", 2)], null);

    private readonly Mock<IOrderStore> _orders = new();
    private readonly Mock<IProductStore> _products = new();
    private readonly Mock<IOrderOutbox> _publisher = new();

    public PlaceOrderHandlerTests()
    {
        _products.Setup(p => p.GetManyAsync("t1", It.IsAny<IReadOnlyCollection<string>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync([TestData.Product("t1", "SKU-1", price: 4.25m)]);
        _publisher.Setup(p => p.PublishAfterWriteAsync(It.IsAny<Versioned<Order>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((Versioned<Order> written, CancellationToken _) => written);
    }

    private PlaceOrderHandler Handler => new(_orders.Object, _products.Object, _publisher.Object, TimeProvider.System);

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
        _orders.Verify(o => o.GetAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Never);
        _publisher.Verify(p => p.PublishAfterWriteAsync(It.Is<Versioned<Order>>(w => w.Value.TenantId == "t1" && w.Value.Id == written.Id && w.ETag == "\"e1\""), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task A_conflict_whose_order_cannot_be_read_surfaces_as_a_failure_not_a_false_success()
    {
        _orders.Setup(o => o.CreateAsync(It.IsAny<Order>(), It.IsAny<CancellationToken>())).ThrowsAsync(new DocumentConflictException("x"));
        _orders.Setup(o => o.GetAsync("t1", It.IsAny<string>(), It.IsAny<CancellationToken>())).ReturnsAsync((Versioned<Order>?)null);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Handler.HandleAsync(Alice, "k1", Request, CancellationToken.None));
        _publisher.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task A_replay_publishes_nothing_the_first_attempt_or_the_relay_did()
    {
        var stored = TestData.Order("t1", "alice") with { RequestHash = PlaceOrderHandler.Hash(Request) };
        _orders.Setup(o => o.CreateAsync(It.IsAny<Order>(), It.IsAny<CancellationToken>())).ThrowsAsync(new DocumentConflictException("x"));
        _orders.Setup(o => o.GetAsync("t1", It.IsAny<string>(), It.IsAny<CancellationToken>())).ReturnsAsync(new Versioned<Order>(stored, "\"e1\""));

        var outcome = await Handler.HandleAsync(Alice, "k1", Request, CancellationToken.None);

        Assert.True(outcome.Value!.Replayed);
        Assert.Equal("\"e1\"", outcome.Value.ETag);
        _publisher.VerifyNoOtherCalls();
    }
}
