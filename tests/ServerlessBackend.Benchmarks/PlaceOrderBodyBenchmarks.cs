using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using ServerlessBackend.Functions.Features.Orders;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Http;

namespace ServerlessBackend.Benchmarks;

/// <summary>POST /v1/orders before any Cosmos request: header and body parsing, validation, the idempotent order id and request hash.</summary>
[MemoryDiagnoser]
public class PlaceOrderBodyBenchmarks
{
    private readonly Caller _caller = new(SampleOrders.TenantId, SampleOrders.CustomerId, SampleOrders.ContactEmail, IsAdmin: false);
    private MemoryStream _body = null!;
    private HttpRequest _request = null!;
    private PlaceOrderRequest _parsed = null!;

    [Params(SampleOrders.TypicalLines, PlaceOrderRequest.MaxLines)]
    public int Lines { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var bytes = Encoding.UTF8.GetBytes(SampleOrders.Body(Lines));
        _body = new MemoryStream(bytes, writable: false);
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Post;
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = bytes.Length;
        context.Request.Headers[IdempotencyKey.Header] = "\"3f9c2a7e-5b1d-4c8e-9a6f-2d7b0e4c1a95\"";
        context.Request.Body = _body;
        _request = context.Request;
        _parsed = SampleOrders.Request(Lines);
    }

    /// <summary>What PlaceOrder does with the request before the handler's first await: the Idempotency-Key, the JSON body, validation.</summary>
    [Benchmark]
    public async Task<PlaceOrderRequest> ReadAndValidateBody()
    {
        _body.Position = 0;
        var key = IdempotencyKey.Parse(_request.Headers[IdempotencyKey.Header]);
        var body = await JsonBody.ReadAsync<PlaceOrderRequest>(_request, CancellationToken.None).ConfigureAwait(false);
        var request = key.Error is null ? body.Value : null;
        return request is not null && request.Validate().IsEmpty ? request : throw new InvalidOperationException("The sample order was refused.");
    }

    /// <summary>SHA-256 over the re-serialized request: stored with the order to tell a retry from a reused key.</summary>
    [Benchmark]
    public string RequestHash() => PlaceOrderHandler.Hash(_parsed);

    /// <summary>The order id derived from tenant, customer and Idempotency-Key.</summary>
    [Benchmark]
    public string OrderId() => PlaceOrderHandler.OrderId(_caller, "3f9c2a7e-5b1d-4c8e-9a6f-2d7b0e4c1a95");
}
