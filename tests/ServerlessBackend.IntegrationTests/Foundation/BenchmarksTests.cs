using System.Reflection;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ServerlessBackend.Benchmarks;
using ServerlessBackend.Benchmarks.FlashSale;
using ServerlessBackend.Functions.Features.Orders;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Json;

namespace ServerlessBackend.IntegrationTests.Foundation;

/// <summary>
/// Keeps tests/ServerlessBackend.Benchmarks from rotting: its setups produce inputs the app accepts and its
/// benchmarks compute the right thing. Each runs once, untimed (speed is measured by BenchmarkDotNet only).
/// </summary>
public sealed class BenchmarksTests
{
    public static TheoryData<string> BenchmarkClasses()
    {
        var data = new TheoryData<string>();
        foreach (var type in BenchmarkTypes())
        {
            data.Add(type.Name);
        }

        return data;
    }

    [Fact]
    public void The_benchmark_project_has_the_five_hot_path_classes()
    {
        Assert.Equal(
            ["BearerTokenBenchmarks", "OrderDocumentBenchmarks", "OrderEmailBenchmarks", "OrderEventMessageBenchmarks", "PlaceOrderBodyBenchmarks"],
            BenchmarkTypes().Select(t => t.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(BenchmarkClasses))]
    public async Task Every_benchmark_runs_on_its_setup_for_every_parameter_value(string className)
    {
        var type = BenchmarkTypes().Single(t => t.Name == className);
        var parameter = type.GetProperties().SingleOrDefault(p => p.GetCustomAttribute<ParamsAttribute>() is not null);
        var values = parameter?.GetCustomAttribute<ParamsAttribute>()!.Values ?? [null];
        foreach (var value in values)
        {
            foreach (var method in type.GetMethods().Where(IsBenchmark))
            {
                var result = await RunOnce(type, parameter, value, method);
                Assert.True(result is not null, $"{className}.{method.Name} (param {value}) returned nothing");
            }
        }
    }

    [Theory]
    [InlineData(SampleOrders.TypicalLines)]
    [InlineData(PlaceOrderRequest.MaxLines)]
    public async Task The_place_order_body_is_read_as_the_sample_request_and_hashes_like_it(int lines)
    {
        var benchmarks = Setup(new PlaceOrderBodyBenchmarks { Lines = lines });

        var read = await benchmarks.ReadAndValidateBody();
        var expected = SampleOrders.Request(lines);

        Assert.Equal(expected.Lines, read.Lines);
        Assert.Equal(expected.ContactEmail, read.ContactEmail);
        Assert.Equal(PlaceOrderHandler.Hash(read), benchmarks.RequestHash());
        Assert.Matches("^[0-9a-f]{64}$", benchmarks.RequestHash());
        Assert.Matches("^ord-[0-9a-f]{32}$", benchmarks.OrderId());
        // The body is re-read from the start on every call.
        Assert.Equal(lines, (await benchmarks.ReadAndValidateBody()).Lines!.Count);
    }

    [Fact]
    public void The_order_document_round_trips_through_the_cosmos_serializer()
    {
        var benchmarks = Setup(new OrderDocumentBenchmarks { Lines = PlaceOrderRequest.MaxLines });
        var expected = SampleOrders.Placed(PlaceOrderRequest.MaxLines);

        var read = benchmarks.Deserialize();

        Assert.Equal(JsonSerializer.Serialize(expected, ApiJson.Options), JsonSerializer.Serialize(read, ApiJson.Options));
        Assert.Equal(PlaceOrderRequest.MaxLines, read.Lines.Count);
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(expected, ApiJson.Options).Length, benchmarks.Serialize());
    }

    [Fact]
    public void The_event_parsed_from_the_message_is_the_event_published()
    {
        var benchmarks = Setup(new OrderEventMessageBenchmarks());
        var expected = SampleOrders.Confirmed(SampleOrders.Placed(SampleOrders.TypicalLines));

        Assert.Equal(expected, benchmarks.Parse());
        Assert.Equal(expected.Id, benchmarks.ToMessage().MessageId);
    }

    [Fact]
    public void The_rendered_email_lists_every_line_with_markup_encoded()
    {
        var email = Setup(new OrderEmailBenchmarks { Lines = PlaceOrderRequest.MaxLines }).Compose();

        Assert.Equal(PlaceOrderRequest.MaxLines, email.TextBody.Split('\n').Count(l => l.Contains(" x Product ", StringComparison.Ordinal)));
        Assert.Contains("&lt;b&gt;&quot;special&quot;&lt;/b&gt; &amp; more", email.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", email.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_bearer_token_authenticates_as_the_sample_customer()
    {
        using var benchmarks = Setup(new BearerTokenBenchmarks());

        Assert.Equal(new TokenIdentity(SampleOrders.TenantId, SampleOrders.TenantId, SampleOrders.CustomerId, SampleOrders.ContactEmail, IsAdmin: false, IsOperator: false, IsApplication: false), await benchmarks.Authenticate());
    }

    [Fact]
    public async Task The_flash_sale_sells_exactly_the_stock_in_one_request_per_reservation_and_ends_with_the_summary_line()
    {
        using var output = new StringWriter();

        var exit = await FlashSaleRun.RunAsync(["--orders", "30", "--stock", "12", "--consumers", "4"], output, CancellationToken.None);

        var lines = output.ToString().TrimEnd().Split('\n');
        Assert.Equal(0, exit);
        Assert.Matches(
            @"^flash-sale: 30 orders, 12 stock, 4 consumers: 12 confirmed, 18 rejected, 2 released, 2 final stock, 1\.00 cosmos requests per reservation, \d+ precondition failures, [0-9.]+ confirmations/s$",
            lines[^1]);
        Assert.Contains("client retries after a precondition failure: 0;", lines[^2], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--orders", "0")]
    [InlineData("--stock")]
    [InlineData("--shards", "2")]
    public async Task The_flash_sale_refuses_a_flag_it_does_not_know_or_a_value_that_is_not_a_positive_integer(params string[] args)
    {
        using var output = new StringWriter();

        Assert.Equal(2, await FlashSaleRun.RunAsync(args, output, CancellationToken.None));
        Assert.Contains(FlashSaleOptions.Usage, output.ToString(), StringComparison.Ordinal);
    }

    private static IEnumerable<Type> BenchmarkTypes() => typeof(SampleOrders).Assembly.GetTypes().Where(t => t.GetMethods().Any(IsBenchmark));

    private static bool IsBenchmark(MethodInfo method) => method.GetCustomAttribute<BenchmarkAttribute>() is not null;

    private static T Setup<T>(T benchmarks)
    {
        benchmarks!.GetType().GetMethods().Single(m => m.GetCustomAttribute<GlobalSetupAttribute>() is not null).Invoke(benchmarks, null);
        return benchmarks;
    }

    private static async Task<object?> RunOnce(Type type, PropertyInfo? parameter, object? value, MethodInfo method)
    {
        var instance = Activator.CreateInstance(type)!;
        try
        {
            parameter?.SetValue(instance, value);
            Setup(instance);
            var result = method.Invoke(instance, null);
            if (result is Task task)
            {
                await task;
                return task.GetType().GetProperty(nameof(Task<object>.Result))!.GetValue(task);
            }

            return result;
        }
        finally
        {
            (instance as IDisposable)?.Dispose();
        }
    }
}
