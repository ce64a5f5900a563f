using System.Net;
using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Platform.Cosmos;

/// <summary>
/// The local Cosmos-protocol server answers the .NET SDK's transactional batch as Cosmos DB does (tests/tools/cosmosdb-server.js):
/// in order, on one partition key, all or nothing, a failure answered with its own status and 424 for every other operation.
/// </summary>
public sealed class TransactionalBatchTests(CosmosServerFixture cosmos) : IClassFixture<CosmosServerFixture>
{
    private readonly string _tenant = TestData.NewTenant();

    private Container Products => cosmos.Containers.Products;

    [Fact]
    public async Task A_batch_runs_its_operations_in_order_and_answers_each_with_its_status_etag_and_resource()
    {
        var existing = await Products.CreateItemAsync(new Item("a", _tenant, 1), new PartitionKey(_tenant));

        using var response = await Products.CreateTransactionalBatch(new PartitionKey(_tenant))
            .CreateItem(new Item("b", _tenant, 1))
            .PatchItem("a", [PatchOperation.Increment("/n", 1)], new TransactionalBatchPatchItemRequestOptions { IfMatchEtag = existing.ETag, FilterPredicate = "FROM c WHERE c.n = 1", EnableContentResponseOnWrite = true })
            .ReadItem("a")
            .ExecuteAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.OK], response.Select(r => r.StatusCode));
        Assert.Equal(2, response.GetOperationResultAtIndex<Item>(1).Resource.N);
        Assert.Equal(2, response.GetOperationResultAtIndex<Item>(2).Resource.N);
        Assert.Equal(response[1].ETag, (await Products.ReadItemAsync<Item>("a", new PartitionKey(_tenant))).ETag);
        Assert.Equal(1, (await Products.ReadItemAsync<Item>("b", new PartitionKey(_tenant))).Resource.N);
    }

    [Fact]
    public async Task A_stale_if_match_anywhere_in_the_batch_fails_it_whole_with_412_and_424_for_the_others()
    {
        var existing = await Products.CreateItemAsync(new Item("a", _tenant, 1), new PartitionKey(_tenant));
        await Products.ReplaceItemAsync(new Item("a", _tenant, 5), "a", new PartitionKey(_tenant));

        using var response = await Products.CreateTransactionalBatch(new PartitionKey(_tenant))
            .CreateItem(new Item("b", _tenant, 1))
            .ReplaceItem("a", new Item("a", _tenant, 9), new TransactionalBatchItemRequestOptions { IfMatchEtag = existing.ETag })
            .CreateItem(new Item("c", _tenant, 1))
            .ExecuteAsync();

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal([HttpStatusCode.FailedDependency, HttpStatusCode.PreconditionFailed, HttpStatusCode.FailedDependency], response.Select(r => r.StatusCode));
        await AssertMissingAsync("b");
        await AssertMissingAsync("c");
        Assert.Equal(5, (await Products.ReadItemAsync<Item>("a", new PartitionKey(_tenant))).Resource.N);
    }

    [Fact]
    public async Task An_unmet_patch_filter_or_a_missing_document_undoes_the_earlier_writes()
    {
        await Products.CreateItemAsync(new Item("a", _tenant, 1), new PartitionKey(_tenant));

        using var filtered = await Products.CreateTransactionalBatch(new PartitionKey(_tenant))
            .UpsertItem(new Item("a", _tenant, 7))
            .PatchItem("a", [PatchOperation.Set("/n", 8)], new TransactionalBatchPatchItemRequestOptions { FilterPredicate = "FROM c WHERE c.n = 1" })
            .ExecuteAsync();
        using var missing = await Products.CreateTransactionalBatch(new PartitionKey(_tenant))
            .DeleteItem("a")
            .ReadItem("nothing")
            .ExecuteAsync();

        Assert.Equal(HttpStatusCode.PreconditionFailed, filtered.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(1, (await Products.ReadItemAsync<Item>("a", new PartitionKey(_tenant))).Resource.N);
    }

    [Fact]
    public async Task A_document_of_another_partition_key_than_the_batchs_is_a_400_and_nothing_is_written()
    {
        var other = TestData.NewTenant();

        using var response = await Products.CreateTransactionalBatch(new PartitionKey(_tenant))
            .CreateItem(new Item("a", _tenant, 1))
            .CreateItem(new Item("b", other, 1))
            .ExecuteAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertMissingAsync("a");
        var read = await CosmosErrors.ReadOrNull<Item>(Products, "b", other, CancellationToken.None);
        Assert.Null(read);
    }

    [Fact]
    public async Task A_conflicting_create_fails_the_batch_with_409()
    {
        await Products.CreateItemAsync(new Item("a", _tenant, 1), new PartitionKey(_tenant));

        using var response = await Products.CreateTransactionalBatch(new PartitionKey(_tenant))
            .PatchItem("a", [PatchOperation.Set("/n", 3)])
            .CreateItem(new Item("a", _tenant, 2))
            .ExecuteAsync();

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(1, (await Products.ReadItemAsync<Item>("a", new PartitionKey(_tenant))).Resource.N);
    }

    private async Task AssertMissingAsync(string id) =>
        Assert.Null(await CosmosErrors.ReadOrNull<Item>(Products, id, _tenant, CancellationToken.None));

    private sealed record Item(string Id, string TenantId, int N);
}
