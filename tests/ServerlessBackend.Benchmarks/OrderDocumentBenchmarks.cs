using BenchmarkDotNet.Attributes;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Platform.Cosmos;

namespace ServerlessBackend.Benchmarks;

/// <summary>The order document through the app's Cosmos serializer (System.Text.Json with the API's options), both ways.</summary>
[MemoryDiagnoser]
public class OrderDocumentBenchmarks
{
    private readonly CosmosJsonSerializer _serializer = new();
    private Order _order = null!;
    private byte[] _document = null!;

    [Params(SampleOrders.TypicalLines, Functions.Features.Orders.PlaceOrderRequest.MaxLines)]
    public int Lines { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _order = SampleOrders.Placed(Lines);
        using var stream = (MemoryStream)_serializer.ToStream(_order);
        _document = stream.ToArray();
    }

    /// <summary>What every create and replace sends.</summary>
    [Benchmark]
    public long Serialize()
    {
        using var stream = _serializer.ToStream(_order);
        return stream.Length;
    }

    /// <summary>What every point read and query result costs to turn into an <see cref="Order"/>.</summary>
    [Benchmark]
    public Order Deserialize() => _serializer.FromStream<Order>(new MemoryStream(_document, writable: false));
}
