using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Features.Orders;
using ServerlessBackend.Functions.Features.Outbox;
using ServerlessBackend.Tests.Support;
using static ServerlessBackend.Tests.Support.ProblemAssertions;

namespace ServerlessBackend.IntegrationTests.Features.Orders;

/// <summary>
/// The ETag a publishing route answers with is the order's current one, with the real outbox (which
/// changes the ETag when it marks the events published): the client's next If-Match write is accepted. Status
/// 409 after an If-Match means the ETag matched and the state machine refused; a stale ETag would be 412. (Asking
/// for the state the order is already in is a 200 whatever the ETag, so the checks ask for a move it cannot make.)
/// </summary>
public sealed class ResponseETagTests : IClassFixture<CosmosServerFixture>
{
    private const string Body = """{"lines":[{"productId":"BEANS","quantity":2}]}""";

    private readonly TestTenant _tenant = new();
    private readonly Downstream _app;
    private readonly ApiTestHost _api;

    public ResponseETagTests(CosmosServerFixture cosmos)
    {
        _app = new Downstream(cosmos, tenant: _tenant.Id);
        _api = new ApiTestHost(cosmos, _app.Clock, _app.Outbox);
    }

    [Fact]
    public async Task The_etags_of_place_and_cancel_are_current_after_publishing_and_the_next_if_match_write_accepts_them()
    {
        await StockAsync();

        var placed = await Place("key-1");
        var id = placed.Json.GetProperty("id").GetString()!;
        await AssertCurrentAndPublishedAsync(id, placed);

        var cancelled = await Cancel(id, ETag(placed));
        Assert.Equal(200, cancelled.StatusCode);
        await AssertCurrentAndPublishedAsync(id, cancelled);
        Assert.NotEqual(ETag(placed), ETag(cancelled));

        AssertProblem(await Ship(id, ETag(cancelled)), 409);
        Assert.Equal(["OrderPlaced", "OrderCancelled"], _app.Bus.Sent.Where(m => m.SessionId == id).Select(m => m.Subject));
    }

    [Fact]
    public async Task The_etag_of_ship_is_current_after_publishing()
    {
        await StockAsync();
        var id = (await Place("key-1")).Json.GetProperty("id").GetString()!;
        await _app.FulfillmentFunction.Run(Assert.Single(_app.Bus.Received(id, OrderEventTypes.OrderPlaced)), CancellationToken.None);
        await _app.PaymentFunction.Run(Assert.Single(_app.Bus.Received(id, OrderEventTypes.OrderReserved)), CancellationToken.None);
        var confirmed = await Get(id);
        Assert.Equal("confirmed", confirmed.Json.GetProperty("status").GetString());

        var shipped = await Ship(id, ETag(confirmed));

        Assert.Equal(200, shipped.StatusCode);
        await AssertCurrentAndPublishedAsync(id, shipped);
        AssertProblem(await Cancel(id, ETag(shipped)), 409);
    }

    [Fact]
    public async Task When_the_send_fails_the_response_carries_the_written_etag_until_the_relay_marks_the_events()
    {
        await StockAsync();
        _app.Bus.FailNext();

        var placed = await Place("key-1");
        var id = placed.Json.GetProperty("id").GetString()!;

        var written = (await _app.Orders.GetAsync(_tenant.Id, id, CancellationToken.None))!;
        Assert.Equal(written.ETag, ETag(placed));
        Assert.Equal(["OrderPlaced"], written.Value.Outbox.Select(e => e.Type));
        Assert.Empty(_app.Bus.Sent);

        _app.Clock.Advance(OutboxRelayHandler.Delay + TimeSpan.FromSeconds(1));
        var relay = new OutboxRelayHandler(_app.Orders, _app.Outbox, _app.Clock, _app.Metrics.App, Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxRelayHandler>.Instance);
        Assert.Equal(1, await relay.RunAsync(CancellationToken.None));

        // The relay's mark made the response's ETag stale: a 412 tells the client to read again.
        AssertProblem(await Cancel(id, ETag(placed)), 412);
        Assert.Equal(200, (await Cancel(id, ETag(await Get(id)))).StatusCode);
    }

    [Fact]
    public async Task When_marking_fails_after_the_send_the_written_etag_is_answered_and_still_current()
    {
        await StockAsync();
        _app.Orders.FailNextMarkPublished = true;

        var placed = await Place("key-1");
        var id = placed.Json.GetProperty("id").GetString()!;

        Assert.Single(_app.Bus.Sent);
        var written = (await _app.Orders.GetAsync(_tenant.Id, id, CancellationToken.None))!;
        Assert.Equal(written.ETag, ETag(placed));
        Assert.Equal(["OrderPlaced"], written.Value.Outbox.Select(e => e.Type));
        Assert.Equal(200, (await Cancel(id, ETag(placed))).StatusCode);
    }

    [Fact]
    public async Task A_replayed_create_answers_the_same_body_and_current_etag_as_the_first_response()
    {
        await StockAsync();
        var first = await Place("key-1");

        var replay = await Place("key-1");

        Assert.Equal("true", replay.Headers[OrderResponse.ReplayedHeader].ToString());
        Assert.Equal(first.Body, replay.Body);
        Assert.Equal(ETag(first), ETag(replay));
        Assert.Single(_app.Bus.Sent);
        Assert.Equal(200, (await Cancel(first.Json.GetProperty("id").GetString()!, ETag(replay))).StatusCode);
    }

    /// <summary>A GET answers the same ETag as <paramref name="response"/>, and the order's outbox was published and marked.</summary>
    private async Task AssertCurrentAndPublishedAsync(string id, TestResponse response)
    {
        var read = await Get(id);
        Assert.Equal(200, read.StatusCode);
        Assert.Equal(ETag(response), ETag(read));
        Assert.Empty((await _app.OrderAsync(id)).Outbox);
    }

    private static string ETag(TestResponse response)
    {
        var etag = response.Headers.ETag.ToString();
        Assert.False(string.IsNullOrEmpty(etag), $"{response.StatusCode} without ETag: {response.Body}");
        return etag;
    }

    private async Task StockAsync()
    {
        var response = await _api.SendAsync("POST", "/api/v1/products", _api.Catalog.Products, _tenant.Admin,
            """{"id":"BEANS","name":"Espresso beans","price":12.50,"currency":"EUR","availableStock":100}""");
        Assert.Equal(201, response.StatusCode);
    }

    private async Task<TestResponse> Place(string key)
    {
        var response = await _api.SendAsync("POST", "/api/v1/orders", _api.Orders.Orders, _tenant.Alice, Body, new Dictionary<string, string> { ["Idempotency-Key"] = key });
        Assert.True(response.StatusCode == 201, response.Body);
        return response;
    }

    private Task<TestResponse> Get(string id) =>
        _api.SendAsync("GET", $"/api/v1/orders/{id}", (r, ct) => _api.Orders.Order(r, id, ct), _tenant.Alice);

    private Task<TestResponse> Cancel(string id, string ifMatch) =>
        _api.SendAsync("POST", $"/api/v1/orders/{id}/cancel", (r, ct) => _api.Orders.OrderCancellation(r, id, ct), _tenant.Alice,
            headers: new Dictionary<string, string> { ["If-Match"] = ifMatch });

    private Task<TestResponse> Ship(string id, string ifMatch) =>
        _api.SendAsync("POST", $"/api/v1/orders/{id}/ship",
            (r, ct) => _api.Orders.OrderShipment(r, id, ct),
            _tenant.Admin, headers: new Dictionary<string, string> { ["If-Match"] = ifMatch });
}
