using System.Net;
using Microsoft.Azure.Cosmos;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Platform.Cosmos;

/// <summary>
/// The semantics of Cosmos patch that the stock reservations rely on, against the local Cosmos-protocol server
/// through the SDK: a conditional patch's filter predicate as written, on the one document patched; a write below a
/// missing parent refused.
/// </summary>
public sealed class CosmosPatchTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>
{
    private readonly string _tenant = TestData.NewTenant();

    private Container Container => cosmos.Containers.Products;

    [Fact]
    public async Task A_satisfied_predicate_applies_the_patch_and_property_names_are_case_sensitive()
    {
        var id = await StoredAsync(new Ledger("p", _tenant, 3, true, new() { ["ord-1"] = 2 }));

        Assert.Equal(HttpStatusCode.OK, await PatchAsync(id, "FROM c WHERE c.availableStock >= 3 AND c.active = true", -1));
        Assert.Equal(HttpStatusCode.PreconditionFailed, await PatchAsync(id, "FROM c WHERE c.availablestock >= 1", -1));

        Assert.Equal(2, (await ReadAsync(id)).AvailableStock);
    }

    [Fact]
    public async Task An_unsatisfied_predicate_is_a_412_and_changes_nothing()
    {
        var id = await StoredAsync(new Ledger("p", _tenant, 3, true, []));

        Assert.Equal(HttpStatusCode.PreconditionFailed, await PatchAsync(id, "FROM c WHERE c.availableStock >= 4", -1));
        Assert.Equal(HttpStatusCode.PreconditionFailed, await PatchAsync(id, "FROM c WHERE c.active = false", -1));

        Assert.Equal(3, (await ReadAsync(id)).AvailableStock);
    }

    [Fact]
    public async Task A_missing_path_compares_as_undefined_and_is_not_defined()
    {
        var id = await StoredAsync(new Ledger("p", _tenant, 3, true, Reservations: null));

        Assert.Equal(HttpStatusCode.PreconditionFailed, await PatchAsync(id, "FROM c WHERE c.reservations.x = 1", -1));
        Assert.Equal(HttpStatusCode.PreconditionFailed, await PatchAsync(id, "FROM c WHERE c.settled[0].epoch >= 0", -1));
        Assert.Equal(HttpStatusCode.OK, await PatchAsync(id, "FROM c WHERE NOT IS_DEFINED(c.reservations[\"ord-1\"])", -1));

        Assert.Equal(2, (await ReadAsync(id)).AvailableStock);
    }

    [Fact]
    public async Task IS_DEFINED_reads_a_nested_key_containing_dash_and_dot_exactly_as_written()
    {
        var id = await StoredAsync(new Ledger("p", _tenant, 10, true, new() { ["ord-1.a"] = 2 }));

        Assert.Equal(HttpStatusCode.OK, await PatchAsync(id, "FROM c WHERE IS_DEFINED(c.reservations[\"ord-1.a\"]) AND c.reservations[\"ord-1.a\"] = 2", -1));
        Assert.Equal(HttpStatusCode.OK, await PatchAsync(id, "FROM c WHERE NOT IS_DEFINED(c.reservations[\"ord-1.b\"])", -1));
        Assert.Equal(HttpStatusCode.PreconditionFailed, await PatchAsync(id, "FROM c WHERE IS_DEFINED(c.reservations[\"ORD-1.A\"])", -1));
        Assert.Equal(HttpStatusCode.PreconditionFailed, await PatchAsync(id, "FROM c WHERE NOT IS_DEFINED(c.reservations[\"ord-1.a\"])", -1));

        Assert.Equal(8, (await ReadAsync(id)).AvailableStock);
    }

    [Fact]
    public async Task The_predicate_is_evaluated_on_the_patched_document_only_not_on_a_namesake_in_another_partition()
    {
        var other = TestData.NewTenant();
        await Container.CreateItemAsync(new Ledger("shared-id", other, 50, true, []), new PartitionKey(other));
        var id = await StoredAsync(new Ledger("shared-id", _tenant, 1, false, []));

        Assert.Equal(HttpStatusCode.PreconditionFailed, await PatchAsync(id, "FROM c WHERE c.active = true", -1));

        Assert.Equal(1, (await ReadAsync(id)).AvailableStock);
    }

    [Fact]
    public async Task A_predicate_that_does_not_parse_is_a_400_and_a_missing_document_a_404()
    {
        var id = await StoredAsync(new Ledger("p", _tenant, 1, true, []));

        Assert.Equal(HttpStatusCode.BadRequest, await PatchAsync(id, "FROM c WHERE c.availableStock >=", -1));
        Assert.Equal(HttpStatusCode.NotFound, await PatchAsync("nope", "FROM c WHERE c.availableStock >= 0", -1));
    }

    [Fact]
    public async Task A_write_below_a_parent_the_document_lacks_is_a_400_and_writes_nothing()
    {
        var id = await StoredAsync(new Ledger("p", _tenant, 3, true, Reservations: null));

        using var response = await Container.PatchItemStreamAsync(
            id, new PartitionKey(_tenant), [PatchOperation.Increment("/availableStock", -1), PatchOperation.Set("/reservations/ord-1", 1)]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var stored = await Container.ReadItemStreamAsync(id, new PartitionKey(_tenant));
        var json = await new StreamReader(stored.Content).ReadToEndAsync();
        Assert.DoesNotContain("ord-1", json, StringComparison.Ordinal);
        Assert.Contains("\"availableStock\":3", json, StringComparison.Ordinal);
    }

    private async Task<string> StoredAsync(Ledger document)
    {
        await Container.CreateItemAsync(document, new PartitionKey(_tenant));
        return document.Id;
    }

    private async Task<HttpStatusCode> PatchAsync(string id, string predicate, int increment)
    {
        using var response = await Container.PatchItemStreamAsync(
            id, new PartitionKey(_tenant), [PatchOperation.Increment("/availableStock", increment)], new PatchItemRequestOptions { FilterPredicate = predicate });
        return response.StatusCode;
    }

    private async Task<Ledger> ReadAsync(string id) => (await Container.ReadItemAsync<Ledger>(id, new PartitionKey(_tenant))).Resource;

    private sealed record Ledger(string Id, string TenantId, int AvailableStock, bool Active, Dictionary<string, int>? Reservations);
}
