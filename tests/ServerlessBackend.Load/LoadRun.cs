using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ServerlessBackend.Load;

/// <summary>
/// For a bounded time, <see cref="Concurrency"/> workers each place an order (a new Idempotency-Key every time) and read
/// it back from its Location, then the run reports requests/s, p50/p90/p99 and the failures per route.
/// </summary>
public sealed class LoadRun(HttpClient http, ApiIdentities identities)
{
    public const string PlaceRoute = "POST /v1/orders";
    public const string ReadRoute = "GET /v1/orders/{id}";

    private readonly ConcurrentDictionary<string, ConcurrentBag<(double Milliseconds, int Status)>> _samples = new();

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    public int Concurrency { get; init; } = 8;

    /// <summary>The product to order; null: the run creates one (needs the admin identity).</summary>
    public string? ProductId { get; init; }

    public async Task<LoadReport> RunAsync(CancellationToken cancellationToken)
    {
        var customer = await identities.TokenAsync(Identity.Customer, cancellationToken);
        var product = ProductId ?? await CreateProductAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Duration);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => WorkAsync(customer, product, deadline.Token)));
        return new LoadReport(clock.Elapsed, _samples.ToDictionary(s => s.Key, s => (IReadOnlyList<(double, int)>)[.. s.Value]));
    }

    private async Task WorkAsync(string token, string product, CancellationToken stop)
    {
        var body = JsonSerializer.Serialize(new { lines = new[] { new { productId = product, quantity = 1 } }, contactEmail = "load@example.test" });
        while (!stop.IsCancellationRequested)
        {
            using var place = Request(HttpMethod.Post, "v1/orders", token);
            place.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            place.Content = new StringContent(body, Encoding.UTF8, "application/json");
            using var placed = await TimeAsync(PlaceRoute, place, stop);
            if (placed?.Headers.Location is not { } location)
            {
                continue;
            }

            // Location is root-relative (/api/v1/orders/{id}): resolved against the base URL's host.
            using var read = Request(HttpMethod.Get, new Uri(http.BaseAddress!, location), token);
            using var _ = await TimeAsync(ReadRoute, read, stop);
        }
    }

    private async Task<HttpResponseMessage?> TimeAsync(string route, HttpRequestMessage request, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var response = await http.SendAsync(request, stop);
            _samples.GetOrAdd(route, _ => []).Add((clock.Elapsed.TotalMilliseconds, (int)response.StatusCode));
            return response;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run's time is up: a request cut off by the deadline is not a result.
            return null;
        }
        catch (HttpRequestException)
        {
            // No HTTP answer at all (connection refused or reset): recorded as status 0.
            _samples.GetOrAdd(route, _ => []).Add((clock.Elapsed.TotalMilliseconds, 0));
            return null;
        }
    }

    private async Task<string> CreateProductAsync(CancellationToken cancellationToken)
    {
        var id = $"LOAD-{Guid.NewGuid():N}"[..20].ToUpperInvariant();
        using var request = Request(HttpMethod.Post, "v1/products", await identities.TokenAsync(Identity.Admin, cancellationToken));
        request.Content = JsonContent.Create(new { id, name = "Load test product", price = 1.0m, currency = "EUR", availableStock = 1_000_000 });
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Creating the product to order failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        return id;
    }

    private static HttpRequestMessage Request(HttpMethod method, string relative, string token) => Request(method, new Uri(relative, UriKind.Relative), token);

    private static HttpRequestMessage Request(HttpMethod method, Uri uri, string token)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}

public sealed record LoadReport(TimeSpan Elapsed, IReadOnlyDictionary<string, IReadOnlyList<(double Milliseconds, int Status)>> Samples)
{
    public bool HasServerErrors => Samples.Values.Any(s => s.Any(x => x.Status >= 500 || x.Status == 0));

    /// <summary>No request finished within the run: nothing was measured.</summary>
    public bool IsEmpty => Samples.Values.All(s => s.Count == 0);

    public string Format()
    {
        var text = new StringBuilder();
        var seconds = Math.Max(Elapsed.TotalSeconds, 0.001);
        text.AppendLine(CultureInfo.InvariantCulture, $"{"route",-22} {"requests",9} {"req/s",8} {"p50 ms",8} {"p90 ms",8} {"p99 ms",8}  errors");
        foreach (var (route, samples) in Samples.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var sorted = samples.Select(s => s.Milliseconds).Order().ToArray();
            var errors = samples.Where(s => s.Status is < 200 or >= 400).GroupBy(s => s.Status).OrderBy(g => g.Key)
                .Select(g => $"{(g.Key == 0 ? "no answer" : g.Key.ToString(CultureInfo.InvariantCulture))}: {g.Count()}");
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{route,-22} {samples.Count,9} {samples.Count / seconds,8:F1} {Percentile(sorted, 50),8:F1} {Percentile(sorted, 90),8:F1} {Percentile(sorted, 99),8:F1}  {(errors.Any() ? string.Join(", ", errors) : "none")}");
        }

        var total = Samples.Values.Sum(s => s.Count);
        text.AppendLine(CultureInfo.InvariantCulture, $"total: {total} requests in {seconds:F1} s, {total / seconds:F1} req/s");
        return text.ToString();
    }

    /// <summary>Nearest-rank percentile of sorted values; 0 for none.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, int percent)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        return sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(percent / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
