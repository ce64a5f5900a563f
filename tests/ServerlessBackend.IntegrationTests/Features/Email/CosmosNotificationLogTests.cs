using ServerlessBackend.Functions.Features.Email;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Features.Email;

/// <summary>The notification log's conditional writes against the Cosmos-protocol server: what makes a claim exclusive.</summary>
public sealed class CosmosNotificationLogTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>
{
    private readonly CosmosNotificationLog _log = new(cosmos.Containers);
    private readonly string _tenant = TestData.NewTenant();

    [Fact]
    public async Task Only_the_first_create_of_a_notification_takes_it()
    {
        var claim = Claim("first");

        var first = await _log.TryCreateAsync(claim, CancellationToken.None);
        var second = await _log.TryCreateAsync(claim with { DeliveryId = "second" }, CancellationToken.None);

        Assert.NotNull(first);
        Assert.Null(second);
        var stored = (await _log.ReadAsync(_tenant, claim.Id, CancellationToken.None))!;
        Assert.Equal(("first", first), (stored.Value.DeliveryId, stored.ETag));
    }

    [Fact]
    public async Task A_replace_or_delete_at_a_stale_etag_writes_nothing()
    {
        var claim = Claim("first");
        var created = (await _log.TryCreateAsync(claim, CancellationToken.None))!;
        var taken = (await _log.TryReplaceAsync(claim with { DeliveryId = "second" }, created, CancellationToken.None))!;

        Assert.Null(await _log.TryReplaceAsync(claim with { DeliveryId = "third" }, created, CancellationToken.None));
        await _log.TryDeleteAsync(_tenant, claim.Id, created, CancellationToken.None);

        var stored = (await _log.ReadAsync(_tenant, claim.Id, CancellationToken.None))!;
        Assert.Equal(("second", taken), (stored.Value.DeliveryId, stored.ETag));
        await _log.TryDeleteAsync(_tenant, claim.Id, taken, CancellationToken.None);
        Assert.Null(await _log.ReadAsync(_tenant, claim.Id, CancellationToken.None));
        Assert.Null(await _log.TryReplaceAsync(claim, taken, CancellationToken.None));
    }

    private Notification Claim(string deliveryId) =>
        new($"o-{Guid.NewGuid():N}.OrderConfirmed", _tenant, "o-1", "OrderConfirmed", NotificationState.Sending, deliveryId, TestData.Now.AddMinutes(2), TestData.Now);
}
