using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ServerlessBackend.ContractTests.Targets;
using ServerlessBackend.Load;

namespace ServerlessBackend.ContractTests;

/// <summary>What came back: status, headers (response and content), media type and body.</summary>
public sealed record ApiResponse(int Status, IReadOnlyDictionary<string, string> Headers, string? MediaType, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>An RFC 9457 problem with this status.</summary>
    public void AssertProblem(int status)
    {
        Assert.True(Status == status, $"Expected {status}, got {Status}: {Body}");
        Assert.Equal("application/problem+json", MediaType);
        Assert.Equal(status, Json.GetProperty("status").GetInt32());
        Assert.Equal(JsonValueKind.String, Json.GetProperty("title").ValueKind);
    }

    public void AssertStatus(int status) => Assert.True(Status == status, $"Expected {status}, got {Status}: {Body}");
}

/// <summary>HttpClient on the app's base URL, sending as one of the callers (or none).</summary>
public sealed class ContractClient(IContractApp app) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = app.BaseUrl, Timeout = TimeSpan.FromSeconds(60) };

    public IContractApp App { get; } = app;

    /// <summary>
    /// <paramref name="path"/> is relative to the base URL (e.g. v1/orders) or to its host (a Location: /api/v1/orders/...); a body is sent as application/json unless
    /// <paramref name="contentType"/> says otherwise.
    /// </summary>
    public async Task<ApiResponse> SendAsync(
        string method, string path, Identity? caller = null, string? body = null, IDictionary<string, string>? headers = null, string contentType = "application/json", string? token = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        var bearer = token ?? (caller is { } who ? await App.Identities.TokenAsync(who) : null);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await _http.SendAsync(request);
        var all = response.Headers.Concat(response.Content.Headers)
            .ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
        return new ApiResponse((int)response.StatusCode, all, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Follows continuation tokens from <paramref name="path"/> to the last page; returns every page's items.</summary>
    public async Task<List<List<JsonElement>>> PagesAsync(string path, Identity caller, int pageSize)
    {
        var pages = new List<List<JsonElement>>();
        string? token = null;
        do
        {
            var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            var page = await SendAsync("GET", $"{path}{separator}pageSize={pageSize}" + (token is null ? "" : $"&continuationToken={Uri.EscapeDataString(token)}"), caller);
            page.AssertStatus(200);
            pages.Add([.. page.Json.GetProperty("items").EnumerateArray()]);
            token = page.Json.TryGetProperty("continuationToken", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
            Assert.True(pages.Count < 10_000, "Paging did not end.");
        }
        while (token is not null);
        return pages;
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>Request bodies and ids that no other run uses.</summary>
public static class Samples
{
    public static string Sku() => "CT-" + Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();

    public static string Product(string sku, int stock = 100, decimal price = 12.5m) =>
        JsonSerializer.Serialize(new { id = sku, name = "Contract test beans", price, currency = "EUR", availableStock = stock });

    public static string Order(string sku, int quantity = 1) =>
        JsonSerializer.Serialize(new { lines = new[] { new { productId = sku, quantity } }, contactEmail = "contract@example.test" });

    public static Dictionary<string, string> Key(string? key = null) => new() { ["Idempotency-Key"] = key ?? Guid.NewGuid().ToString() };
}
