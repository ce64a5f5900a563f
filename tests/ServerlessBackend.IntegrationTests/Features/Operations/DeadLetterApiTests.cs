using Moq;
using ServerlessBackend.Functions.Features.Operations;
using ServerlessBackend.Functions.Shared.Audit;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Features.Operations;

/// <summary>The dead-letter admin routes through the app's middleware, with the Service Bus adapter mocked.</summary>
public sealed class DeadLetterApiTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>, IDisposable
{
    private readonly ApiTestHost _api = new(cosmos);
    private readonly TestTenant _tenant = new();
    private readonly Mock<IDeadLetters> _deadLetters = new(MockBehavior.Strict);
    private readonly MetricsCapture _metrics = new();

    private DeadLetterFunctions Functions => new(new DeadLetterHandler(_deadLetters.Object, _metrics.App, _api.Get<AuditTrail>(), _api.Get<IAuditLog>()));

    [Fact]
    public async Task An_admin_lists_the_tenants_dead_letters_of_a_subscription_with_a_continuation_token()
    {
        _deadLetters
            .Setup(d => d.PeekAsync("email", _tenant.Id, 0, 2, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new DeadLetterPage([Letter(41)], NextSequenceNumber: 43));
        _deadLetters
            .Setup(d => d.PeekAsync("email", _tenant.Id, 43, 2, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new DeadLetterPage([Letter(44)], NextSequenceNumber: null));

        var first = await List(_tenant.Admin, "email", "?pageSize=2");
        var token = first.Json.GetProperty("continuationToken").GetString();
        var second = await List(_tenant.Admin, "email", $"?pageSize=2&continuationToken={token}");

        Assert.Equal(200, first.StatusCode);
        Assert.Equal(
            """{"items":[{"sequenceNumber":41,"messageId":"o-41.OrderConfirmed","eventType":"OrderConfirmed","orderId":"o-41","reason":"MaxDeliveryCountExceeded","errorDescription":"smtp down","deliveryCount":5,"enqueuedAt":"2026-11-28T12:00:00+00:00"}],"continuationToken":""" + "\"" + token + "\"" + """}""",
            first.Body);
        Assert.Equal(44, second.Json.GetProperty("items")[0].GetProperty("sequenceNumber").GetInt64());
        Assert.False(second.Json.TryGetProperty("continuationToken", out _));
    }

    [Fact]
    public async Task A_token_of_another_tenant_or_subscription_or_not_issued_by_the_list_is_a_400_that_never_reaches_Service_Bus()
    {
        var other = new TestTenant();
        _deadLetters
            .Setup(d => d.PeekAsync("email", other.Id, 0, 2, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new DeadLetterPage([Letter(41)], NextSequenceNumber: 42));
        var othersToken = (await List(other.Admin, "email", "?pageSize=2")).Json.GetProperty("continuationToken").GetString();

        ProblemAssertions.AssertProblem(await List(_tenant.Admin, "email", $"?continuationToken={othersToken}"), 400);
        ProblemAssertions.AssertProblem(await List(other.Admin, "fulfillment", $"?continuationToken={othersToken}"), 400);
        ProblemAssertions.AssertProblem(await List(_tenant.Admin, "email", "?continuationToken=NDI"), 400);

        _deadLetters.Verify(d => d.PeekAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<long>(), It.IsAny<int>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task An_admin_replays_chosen_dead_letters_and_learns_which_were_not_found()
    {
        _deadLetters
            .Setup(d => d.ReplayAsync("fulfillment", _tenant.Id, It.Is<IReadOnlyCollection<long>>(s => s.SequenceEqual(new long[] { 7, 9 })), It.IsAny<CancellationToken>()))
            .ReturnsAsync([7L]);

        var response = await Replay(_tenant.Admin, "fulfillment", """{"sequenceNumbers":[7,9,7]}""");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("""{"replayed":[7],"notFound":[9]}""", response.Body);
    }

    [Fact]
    public async Task The_webhooks_subscriptions_dead_letters_are_listed_and_replayed_like_the_others()
    {
        var attempt = new DeadLetteredMessage(12, "o-1.OrderShipped:webhook:wh_1:8", "WebhookAttempt", "o-1", "MaxDeliveryCountExceeded", "http 503", 5, TestData.Now);
        _deadLetters.Setup(d => d.PeekAsync("webhooks", _tenant.Id, 0, 20, It.IsAny<CancellationToken>())).ReturnsAsync(new DeadLetterPage([attempt], NextSequenceNumber: null));
        _deadLetters
            .Setup(d => d.ReplayAsync("webhooks", _tenant.Id, It.Is<IReadOnlyCollection<long>>(s => s.SequenceEqual(new long[] { 12 })), It.IsAny<CancellationToken>()))
            .ReturnsAsync([12L]);

        var list = await List(_tenant.Admin, "webhooks", "");
        var replay = await Replay(_tenant.Admin, "webhooks", """{"sequenceNumbers":[12]}""");

        Assert.Equal("WebhookAttempt", list.Json.GetProperty("items")[0].GetProperty("eventType").GetString());
        Assert.Equal("""{"replayed":[12],"notFound":[]}""", replay.Body);
    }

    [Fact]
    public async Task A_customer_is_403_an_unknown_subscription_404_and_a_bad_body_or_token_400_without_touching_Service_Bus()
    {
        ProblemAssertions.AssertProblem(await List(_tenant.Alice, "email", ""), 403);
        ProblemAssertions.AssertProblem(await Replay(_tenant.Bob, "email", """{"sequenceNumbers":[1]}"""), 403);
        ProblemAssertions.AssertProblem(await Replay(_tenant.Bob, "email", """{"sequenceNumbers":[]}"""), 403);
        ProblemAssertions.AssertProblem(await List(_tenant.Admin, "payments", ""), 404);
        ProblemAssertions.AssertProblem(await Replay(_tenant.Admin, "payments", """{"sequenceNumbers":[1]}"""), 404);
        ProblemAssertions.AssertProblem(await List(_tenant.Admin, "email", "?pageSize=1000"), 400);
        ProblemAssertions.AssertProblem(await List(_tenant.Admin, "email", "?continuationToken=bm90LWEtbnVtYmVy"), 400);
        var empty = await Replay(_tenant.Admin, "email", """{"sequenceNumbers":[]}""");
        ProblemAssertions.AssertProblem(empty, 400);
        Assert.True(empty.Json.GetProperty("errors").TryGetProperty("sequenceNumbers", out _));
        ProblemAssertions.AssertProblem(await Replay(_tenant.Admin, "email", """{"sequenceNumbers":[1],"all":true}"""), 400);
        ProblemAssertions.AssertProblem(await List(null, "email", ""), 401);

        _deadLetters.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task A_replay_counts_the_messages_replayed_by_tenant_and_subscription_and_asking_again_for_them_counts_nothing()
    {
        _deadLetters
            .SetupSequence(d => d.ReplayAsync("email", _tenant.Id, It.IsAny<IReadOnlyCollection<long>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync([7L, 8L])
            .ReturnsAsync([]);

        Assert.Equal(200, (await Replay(_tenant.Admin, "email", """{"sequenceNumbers":[7,8,9]}""")).StatusCode);
        Assert.Equal(200, (await Replay(_tenant.Admin, "email", """{"sequenceNumbers":[7,8,9]}""")).StatusCode);
        Assert.Equal(403, (await Replay(_tenant.Alice, "email", """{"sequenceNumbers":[7]}""")).StatusCode);

        Assert.Equal(2, _metrics.Sum("deadletters.replayed"));
        Assert.Equal(2, _metrics.Sum("deadletters.replayed", ("tenant.id", _tenant.Id), ("messaging.destination.subscription.name", "email")));
    }

    public void Dispose() => _metrics.Dispose();

    private Task<TestResponse> List(string? token, string subscription, string query) =>
        _api.SendAsync("GET", $"/api/v1/admin/dead-letters/{subscription}{query}", (r, ct) => Functions.DeadLetters(r, subscription, ct), token);

    private Task<TestResponse> Replay(string? token, string subscription, string body) =>
        _api.SendAsync("POST", $"/api/v1/admin/dead-letters/{subscription}/replay", (r, ct) => Functions.DeadLetterReplay(r, subscription, ct), token, body);

    private static DeadLetteredMessage Letter(long sequenceNumber) => new(
        sequenceNumber, $"o-{sequenceNumber}.OrderConfirmed", "OrderConfirmed", $"o-{sequenceNumber}", "MaxDeliveryCountExceeded", "smtp down", 5, TestData.Now);
}
