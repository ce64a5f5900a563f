using System.Diagnostics;
using System.Net;
using ServerlessBackend.ContractTests.Targets;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.ContractTests;

/// <summary>The load script (tests/ServerlessBackend.Load) run briefly as users run it: against API_BASE_URL with the token variables.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class LoadScriptTests(LocalHostApp app)
{
    private static string LoadAssembly => RepoPaths.InRoot("tests", "ServerlessBackend.Load", "bin", StandInFunc.Configuration, "net10.0", "ServerlessBackend.Load.dll");

    [Fact]
    public async Task A_short_run_against_the_local_host_places_and_reads_orders_and_reports_each_route()
    {
        var (exitCode, output) = await RunAsync(
            ["--duration", "3", "--concurrency", "4"],
            ("API_BASE_URL", app.BaseUrl.ToString()), ("API_TOKENS", "development"),
            ("Auth__Authority", app.Settings["Auth__Authority"]), ("Auth__Audiences", app.Settings["Auth__Audiences"]));

        Assert.True(exitCode == 0, output);
        foreach (var route in new[] { "POST /v1/orders", "GET /v1/orders/{id}" })
        {
            var line = Assert.Single(output.Split('\n'), l => l.StartsWith(route + " ", StringComparison.Ordinal));
            var columns = line[route.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(int.Parse(columns[0], System.Globalization.CultureInfo.InvariantCulture) > 0, line);
            Assert.EndsWith("none", line.TrimEnd(), StringComparison.Ordinal);
        }

        Assert.Contains(" req/s", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Any_5xx_makes_the_run_fail_and_is_reported_for_its_route()
    {
        var port = LocalServer.FreePort();
        using var failing = new HttpListener();
        failing.Prefixes.Add($"http://127.0.0.1:{port}/");
        failing.Start();
        using var stop = new CancellationTokenSource();
        var serve = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var context = await failing.GetContextAsync();
                context.Response.StatusCode = 503;
                context.Response.Close();
            }
        });

        var (exitCode, output) = await RunAsync(
            ["--duration", "3", "--concurrency", "1", "--product", "SKU-1"], ("API_BASE_URL", $"http://127.0.0.1:{port}/api"), ("API_TOKEN_CUSTOMER", "t"));
        await stop.CancelAsync();

        Assert.True(exitCode == 1, output);
        Assert.Matches(@"POST /v1/orders .* 503: [1-9]", output);
    }

    [Theory]
    [InlineData("--duration", "0")]
    [InlineData("--duration", "601")]
    [InlineData("--concurrency", "0")]
    [InlineData("--unknown", "1")]
    public async Task A_run_is_always_bounded_and_refuses_bad_options(string option, string value)
    {
        var (exitCode, output) = await RunAsync([option, value], ("API_BASE_URL", "http://127.0.0.1:9/api"), ("API_TOKEN_CUSTOMER", "t"));

        Assert.True(exitCode == 2, output);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string[] arguments, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(LoadAssembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("API_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await errors);
    }
}
