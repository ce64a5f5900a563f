using BenchmarkDotNet.Attributes;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Features.Email;

namespace ServerlessBackend.Benchmarks;

/// <summary>The email step's rendering: subject, plain text and HTML (with every user-supplied value HTML-encoded).</summary>
[MemoryDiagnoser]
public class OrderEmailBenchmarks
{
    private OrderEvent _event = null!;
    private OrderEmailModel _model = null!;

    [Params(SampleOrders.TypicalLines, Functions.Features.Orders.PlaceOrderRequest.MaxLines)]
    public int Lines { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var order = SampleOrders.Placed(Lines);
        _event = SampleOrders.Confirmed(order);
        _model = SampleOrders.EmailModel(order);
    }

    [Benchmark]
    public EmailMessage Compose() =>
        OrderEmails.Compose(_event, _model, "orders@shop.example.test") ?? throw new InvalidOperationException("OrderConfirmed sends an email.");
}
