using System.Globalization;
using ServerlessBackend.Load;

// Usage: dotnet run -c Release --project tests/ServerlessBackend.Load -- [--duration 30] [--concurrency 8] [--product SKU]
// Target and tokens from the environment: API_BASE_URL (e.g. https://<app>.azurewebsites.net/api) and the token
// variables of ApiIdentities (tests/README.md, "Benchmarks and performance"). Exit code 1 when any request got a 5xx or no answer, or none finished; 2 on bad usage.
const int MaxSeconds = 600;
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2)
{
    options[args[i]] = args[i + 1];
}

var seconds = options.TryGetValue("--duration", out var d) ? double.Parse(d, CultureInfo.InvariantCulture) : 30;
var concurrency = options.TryGetValue("--concurrency", out var c) ? int.Parse(c, CultureInfo.InvariantCulture) : 8;
if (Environment.GetEnvironmentVariable("API_BASE_URL") is not { Length: > 0 } baseUrl || seconds is <= 0 or > MaxSeconds || concurrency is < 1 or > 256
    || args.Length % 2 != 0 || options.Keys.Any(k => k is not ("--duration" or "--concurrency" or "--product")))
{
    Console.Error.WriteLine($"Set API_BASE_URL and tokens (tests/README.md, \"Benchmarks and performance\"); --duration is 1 to {MaxSeconds} seconds (default 30), --concurrency 1 to 256 (default 8), --product an existing SKU (default: create one, as the admin).");
    return 2;
}

var identities = new ApiIdentities(Environment.GetEnvironmentVariable);
using var http = new HttpClient { BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) };
var run = new LoadRun(http, identities)
{
    Duration = TimeSpan.FromSeconds(seconds),
    Concurrency = concurrency,
    ProductId = options.GetValueOrDefault("--product"),
};
Console.WriteLine($"Placing and reading orders at {baseUrl} for {seconds} s with {concurrency} workers...");
LoadReport report;
try
{
    report = await run.RunAsync(CancellationToken.None);
}
catch (Exception e) when (e is HttpRequestException or InvalidOperationException)
{
    // Setting up failed (no token, the product could not be created, nothing answers): nothing was measured.
    Console.Error.WriteLine($"The run could not start: {e.Message}");
    return 1;
}


Console.Write(report.Format());
if (report.HasServerErrors || report.IsEmpty)
{
    Console.Error.WriteLine(report.IsEmpty ? "No request finished within the run." : "Some requests got a 5xx or no answer.");
    return 1;
}

return 0;
