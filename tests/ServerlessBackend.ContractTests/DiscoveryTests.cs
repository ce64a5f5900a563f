using System.Diagnostics;
using System.Net;
using System.Text;
using ServerlessBackend.ContractTests.Targets;
using ServerlessBackend.Load;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.ContractTests;

/// <summary>
/// How the suite finds its target and starts and stops an app, exercised here without Core Tools: discovery over given
/// environments, and the func path with stand-in func scripts (one records what it was given and runs the local host).
/// </summary>
public sealed class DiscoveryTests : IDisposable
{
    private readonly StandInFunc _func;
    private readonly string _record = Path.Combine(Path.GetTempPath(), "func-record-" + Guid.NewGuid().ToString("N"));

    public DiscoveryTests() => _func = new StandInFunc($$"""{ pwd; printf '%s\n' "$@"; } > '{{_record}}'; env > '{{_record}}.env'""");

    public void Dispose()
    {
        _func.Dispose();
        File.Delete(_record);
        File.Delete(_record + ".env");
    }

    [Fact]
    public void API_BASE_URL_comes_first_then_func_on_PATH_then_nothing()
    {
        using var notExecutable = new StandInFunc();
        File.SetUnixFileMode(notExecutable.Path, UnixFileMode.UserRead);

        var byUrl = TargetDiscovery.Discover(Environment(("API_BASE_URL", "https://shop.example.test/api"), ("PATH", _func.Folder)));
        var byFunc = TargetDiscovery.Discover(Environment(("PATH", $"{notExecutable.Folder}{Path.PathSeparator}{_func.Folder}")));
        var none = TargetDiscovery.Discover(Environment(("PATH", notExecutable.Folder)));

        Assert.Equal(new DiscoveredTarget(TargetKind.ApiBaseUrl, new Uri("https://shop.example.test/api/"), null), byUrl);
        Assert.Equal(new DiscoveredTarget(TargetKind.Func, null, _func.Path), byFunc);
        Assert.Null(none);
    }

    [Fact]
    public void On_the_discovered_target_a_test_exists_only_with_a_target_and_the_tokens_it_needs()
    {
        var anonymous = new ContractFactAttribute();
        var admin = new ContractFactAttribute(Identity.Admin);
        var serviceBusDown = new ContractFactAttribute(Identity.Admin) { NeedsServiceBusDown = true };
        var nothing = Environment();
        var urlOnly = Environment(("API_BASE_URL", "https://shop.example.test/api"));
        var urlWithAdmin = Environment(("API_BASE_URL", "https://shop.example.test/api"), ("API_TOKEN_ADMIN", "t"));
        var func = Environment(("PATH", _func.Folder));
        var funcWithServiceBus = Environment(("PATH", _func.Folder), (TargetDiscovery.ServiceBusVariable, "Endpoint=sb://localhost;UseDevelopmentEmulator=true;"));

        Assert.False(ContractFactDiscoverer.Runs(anonymous, onDiscoveredTarget: true, nothing));
        Assert.True(ContractFactDiscoverer.Runs(anonymous, onDiscoveredTarget: true, urlOnly));
        Assert.False(ContractFactDiscoverer.Runs(admin, onDiscoveredTarget: true, urlOnly));
        Assert.True(ContractFactDiscoverer.Runs(admin, onDiscoveredTarget: true, urlWithAdmin));
        Assert.False(ContractFactDiscoverer.Runs(serviceBusDown, onDiscoveredTarget: true, urlWithAdmin));
        Assert.True(ContractFactDiscoverer.Runs(serviceBusDown, onDiscoveredTarget: true, func));
        Assert.False(ContractFactDiscoverer.Runs(serviceBusDown, onDiscoveredTarget: true, funcWithServiceBus));
        Assert.True(ContractFactDiscoverer.Runs(admin, onDiscoveredTarget: false, nothing));
    }

    [Fact]
    public async Task The_func_path_starts_the_servers_and_func_start_on_a_free_port_in_the_build_output_waits_for_health_and_stops_everything()
    {
        FuncApp app;
        int funcProcess;
        using (app = FuncApp.Start(_func.Path, RepoPaths.FunctionsOutput, Environment(), "stand-in func"))
        {
            funcProcess = app.FuncProcessId!.Value;
            var recorded = File.ReadAllLines(_record);
            var environment = File.ReadAllLines(_record + ".env").Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);

            Assert.Equal([Path.TrimEndingDirectorySeparator(RepoPaths.FunctionsOutput), "start", "--port", app.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)], recorded);
            Assert.All(app.Settings, s => Assert.Equal(s.Value, environment[s.Key]));
            Assert.Equal("true", environment["AzureWebJobs.Fulfillment.Disabled"]);
            Assert.Equal("true", environment["AzureWebJobs.Email.Disabled"]);
            Assert.True(LocalServer.Accepts(new Uri(environment["Cosmos__AccountEndpoint"]).Port));
            Assert.True(LocalServer.Accepts(int.Parse(environment["Email__SmtpPort"], System.Globalization.CultureInfo.InvariantCulture)));

            // The API_BASE_URL path against the running app, with development tokens, as a user would set it.
            var target = TargetDiscovery.Discover(Environment(("API_BASE_URL", app.BaseUrl.ToString().TrimEnd('/'))))!;
            var identities = new ApiIdentities(Environment(("API_TOKENS", "development"), ("Auth__Authority", app.Settings["Auth__Authority"]), ("Auth__Audiences", app.Settings["Auth__Audiences"])));
            using var http = new HttpClient { BaseAddress = target.BaseUrl };
            using var request = new HttpRequestMessage(HttpMethod.Get, "v1/products");
            request.Headers.Authorization = new("Bearer", await identities.TokenAsync(Identity.Customer));
            using var products = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, products.StatusCode);
        }

        Assert.Throws<ArgumentException>(() => Process.GetProcessById(funcProcess));
        Assert.False(LocalServer.Accepts(app.Port));
        Assert.False(LocalServer.Accepts(new Uri(app.Settings["Cosmos__AccountEndpoint"]).Port));
        Assert.False(LocalServer.Accepts(int.Parse(app.Settings["Email__SmtpPort"], System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void With_a_service_bus_connection_the_app_gets_it_and_keeps_its_service_bus_functions()
    {
        const string Connection = "Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;";

        var with = FuncApp.AppSettings(RepoPaths.FunctionsOutput, 1, 2, "storage", Connection);
        var without = FuncApp.AppSettings(RepoPaths.FunctionsOutput, 1, 2, "storage", null);

        Assert.Equal(Connection, with["ServiceBus"]);
        Assert.DoesNotContain(with.Keys, k => k.EndsWith(".Disabled", StringComparison.Ordinal));
        Assert.Equal(["AzureWebJobs.Email.Disabled", "AzureWebJobs.Fulfillment.Disabled", "AzureWebJobs.Payment.Disabled", "AzureWebJobs.WebhookDelivery.Disabled"], without.Keys.Where(k => k.EndsWith(".Disabled", StringComparison.Ordinal)).Order());
        Assert.Equal("localhost", without["ServiceBus__fullyQualifiedNamespace"]);
    }

    [Fact]
    public void A_func_that_exits_before_health_answers_fails_the_start_with_its_output()
    {
        using var failing = new StandInFunc("echo 'no host here' >&2; exit 3");

        var error = Assert.Throws<InvalidOperationException>(() => FuncApp.Start(failing.Path, RepoPaths.FunctionsOutput, Environment(), "failing func"));

        Assert.Contains("exited with code 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("no host here", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_credential_and_pre_issued_tokens_come_from_the_environment()
    {
        var port = LocalServer.FreePort();
        using var endpoint = new HttpListener();
        endpoint.Prefixes.Add($"http://127.0.0.1:{port}/token/");
        endpoint.Start();
        var form = Task.Run(async () =>
        {
            var context = await endpoint.GetContextAsync();
            var body = await new StreamReader(context.Request.InputStream).ReadToEndAsync();
            var answer = Encoding.UTF8.GetBytes("""{"access_token":"from-the-endpoint","token_type":"Bearer","expires_in":3599}""");
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(answer);
            context.Response.Close();
            return body;
        });
        var identities = new ApiIdentities(Environment(
            ("API_TOKEN_ENDPOINT", $"http://127.0.0.1:{port}/token/"), ("API_TOKEN_SCOPE", "api://shop/.default"),
            ("API_CLIENT_ID_ADMIN", "admin-app"), ("API_CLIENT_SECRET_ADMIN", "s3cret"), ("API_TOKEN_CUSTOMER", "pre-issued")));

        Assert.Equal("from-the-endpoint", await identities.TokenAsync(Identity.Admin));
        Assert.Equal("pre-issued", await identities.TokenAsync(Identity.Customer));
        Assert.False(identities.Has(Identity.OtherTenantAdmin));
        Assert.Equal("grant_type=client_credentials&client_id=admin-app&client_secret=s3cret&scope=api%3A%2F%2Fshop%2F.default", await form);
    }

    private static Func<string, string?> Environment(params (string Name, string Value)[] values)
    {
        var map = values.ToDictionary(v => v.Name, v => v.Value);
        return name => map.GetValueOrDefault(name);
    }
}
