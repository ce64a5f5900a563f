using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;
using ServerlessBackend.Functions.Features.Email;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Hosting;
using ServerlessBackend.Functions.Platform.Telemetry;
using ServerlessBackend.Functions.Shared.Orders;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Foundation;

/// <summary>
/// `functions/run-local.sh`, the README's run command, without Core Tools: `--deps-only` starts the local
/// dependencies from the settings file's ports, the app's own Cosmos client and SMTP sender work against them,
/// and a SIGTERM stops everything it started. The full run explains that `func` is missing. The Docker path runs
/// with a stand-in `docker` on PATH (no engine here): what it is asked to start, with which settings, and that it
/// is asked to remove it; without an engine the script says what is missing. Every test decides whether a Docker
/// engine "answers", so a machine with Docker (a GitHub runner) runs the same tests.
/// </summary>
public sealed partial class RunLocalScriptTests : IDisposable
{
    private static readonly string Script = RepoPaths.InRoot("functions", "run-local.sh");
    private readonly string _dir = Directory.CreateTempSubdirectory("run-local-").FullName;

    [Fact]
    public async Task Deps_only_starts_cosmos_smtp_and_storage_on_the_configured_ports_and_stops_them_on_sigterm()
    {
        var ports = Enumerable.Range(0, 6).Select(_ => LocalServer.FreePort()).ToArray();
        var (cosmos, smtp, web, blob, queue, table) = (ports[0], ports[1], ports[2], ports[3], ports[4], ports[5]);
        var settings = WriteLocalSettings(cosmos, smtp, blob, queue, table);
        _ = NodeTools.BinScript("maildev"); // installs the pinned tools once, as the script would
        var docker = StandInDocker(engineAnswers: false);
        using var run = ScriptRun.Start(["--deps-only"], new()
        {
            ["LOCAL_SETTINGS"] = settings,
            ["MAILDEV_WEB_PORT"] = web.ToString(CultureInfo.InvariantCulture),
            ["PATH"] = docker.Path,
        });

        var summary = run.WaitForLine(line => line.StartsWith("ready:", StringComparison.Ordinal), TimeSpan.FromSeconds(120));
        var cosmosEndpoint = new Uri(Endpoint(summary, "cosmos"));
        var inbox = new Uri(Endpoint(summary, "mail"));
        Assert.Equal(cosmos, cosmosEndpoint.Port);
        Assert.Equal($"127.0.0.1:{smtp}", Endpoint(summary, "smtp"));
        Assert.Equal(web, inbox.Port);
        Assert.All(new[] { blob, queue, table }, port => Assert.True(LocalServer.Accepts(port), $"Azurite does not answer on {port}."));
        Assert.Contains("servicebus  localhost  (not started: no Docker engine answers (docker info failed), and the Service Bus emulator needs Docker", summary, StringComparison.Ordinal);
        Assert.DoesNotContain(" compose ", docker.Calls, StringComparison.Ordinal);

        // Cosmos, with the app's own registration and the sample's certificate opt-in.
        await using (var provider = AppCosmos.ComposeLocal(cosmosEndpoint, "run-local", allowUntrustedCertificate: true))
        {
            await AppCosmos.StartAsync(provider, CancellationToken.None);
            await provider.GetRequiredService<IReadinessCheck>().CheckAsync(CancellationToken.None);

            // What the plain protocol server cannot do, served by --serve-query-plans: an orders list (ORDER BY)
            // continued page by page, and the outbox relay's cross-partition query.
            var orders = new CosmosOrderStore(provider.GetRequiredService<CosmosContainers>());
            foreach (var (tenant, minutes) in new[] { ("shop-1", 0), ("shop-1", 1), ("shop-1", 2), ("shop-2", 3) })
            {
                await orders.CreateAsync(TestData.Order(tenant, "alice", at: TestData.Now.AddMinutes(minutes)), CancellationToken.None);
            }

            var listed = new List<DateTimeOffset>();
            string? continuation = null;
            do
            {
                var page = await orders.ListAsync(new OrderListQuery("shop-1", "alice", null, 1, continuation), CancellationToken.None);
                Assert.True(page.Items.Count <= 1);
                listed.AddRange(page.Items.Select(o => o.CreatedAt));
                continuation = page.ContinuationToken;
            }
            while (continuation is not null && listed.Count < 10);

            Assert.Equal([TestData.Now.AddMinutes(2), TestData.Now.AddMinutes(1), TestData.Now], listed);
            var pending = await orders.FindWithPendingEventsAsync(TestData.Now.AddDays(1), DateTimeOffset.MaxValue, 100, CancellationToken.None);
            Assert.Equal(["shop-1", "shop-1", "shop-1", "shop-2"], pending.Select(o => o.TenantId).Order());
            Assert.Empty(await orders.FindWithPendingEventsAsync(TestData.Now.AddMinutes(-1), TestData.Now.AddMinutes(3), 100, CancellationToken.None));
            var ahead = await orders.FindWithPendingEventsAsync(TestData.Now.AddMinutes(-1), TestData.Now.AddMinutes(2.5), 100, CancellationToken.None);
            Assert.Equal("shop-2", Assert.Single(ahead).TenantId);
        }

        // SMTP, with the app's own sender; MailDev's inbox shows the mail.
        var sender = new SmtpEmailSender(Options.Create(new EmailOptions { SmtpHost = "127.0.0.1", SmtpPort = smtp, FromAddress = "shop@localhost" }));
        await sender.SendAsync(new EmailMessage("alice@example.test", "Local run check", "text", "<p>html</p>", "<check@localhost>"), CancellationToken.None);
        using var http = new HttpClient { BaseAddress = inbox };
        var mails = await WaitForMailAsync(http);
        Assert.Contains(mails, m => m.Subject == "Local run check");

        run.Terminate();

        Assert.True(run.WaitForExit(TimeSpan.FromSeconds(30)), "The script did not exit on SIGTERM.");
        Assert.All(new[] { cosmos, smtp, web, blob, queue, table }, port => Assert.False(LocalServer.Accepts(port), $"Port {port} still answers after the script exited."));
    }

    [Fact]
    public async Task Deps_only_starts_the_aspire_dashboard_on_the_configured_otlp_port_shows_a_span_the_app_exports_and_stops_it_on_sigterm()
    {
        var (otlp, dashboard) = (LocalServer.FreePort(), LocalServer.FreePort());
        var settings = WriteSettings(values =>
        {
            values[AppSettings.CosmosAccountEndpoint] = "https://contoso.documents.azure.com/";
            values[AppSettings.EmailSmtpHost] = "smtp.contoso.com";
            values["AzureWebJobsStorage"] = "DefaultEndpointsProtocol=https;AccountName=contoso;EndpointSuffix=core.windows.net";
            values[AppSettings.OtlpEndpoint] = $"http://127.0.0.1:{otlp}";
        });
        using var run = ScriptRun.Start(["--no-docker", "--deps-only"], new()
        {
            ["LOCAL_SETTINGS"] = settings,
            ["DASHBOARD_PORT"] = dashboard.ToString(CultureInfo.InvariantCulture),
        });

        var summary = run.WaitForLine(line => line.StartsWith("ready:", StringComparison.Ordinal), TimeSpan.FromSeconds(180));
        Assert.Equal($"http://127.0.0.1:{otlp}", Endpoint(summary, "telemetry"));
        Assert.Equal($"http://127.0.0.1:{dashboard}/", Endpoint(summary, "dashboard"));

        // The app's own telemetry registration, pointed at the dashboard as local.settings.json points the app.
        var name = $"run-local check {Guid.NewGuid():N}";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [AppSettings.OtlpEndpoint] = $"http://127.0.0.1:{otlp}" }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddAppTelemetry(configuration);
        using (var telemetry = services.BuildServiceProvider())
        {
            var tracing = telemetry.GetRequiredService<TracerProvider>();
            using (var span = AppTelemetry.Source.StartActivity(name))
            {
                span?.SetTag(TelemetryTags.TenantId, "shop-1");
            }

            Assert.True(tracing.ForceFlush(10_000), "The OTLP exporter did not flush to the dashboard.");
        }

        // The dashboard's telemetry API (unsecured on loopback, as the UI) lists it.
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{dashboard}/") };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/", UriKind.Relative))).StatusCode);
        var traces = "";
        for (var i = 0; i < 50 && !traces.Contains(name, StringComparison.Ordinal); i++)
        {
            await Task.Delay(200);
            traces = await http.GetStringAsync(new Uri("api/telemetry/traces", UriKind.Relative));
        }

        Assert.Contains(name, traces, StringComparison.Ordinal);
        Assert.Contains("shop-1", traces, StringComparison.Ordinal);

        run.Terminate();

        Assert.True(run.WaitForExit(TimeSpan.FromSeconds(30)), "The script did not exit on SIGTERM.");
        Assert.All(new[] { otlp, dashboard }, port => Assert.False(LocalServer.Accepts(port), $"Port {port} still answers after the script exited."));
    }

    [Fact]
    public void A_dashboard_port_another_process_holds_stops_the_run_with_the_setting_to_change_and_no_dashboard_is_claimed()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var dashboardPort = ((IPEndPoint)taken.LocalEndpoint).Port;
        var (docker, started) = StandInDashboard(restores: true);
        using var run = ScriptRun.Start(["--no-docker", "--deps-only"], new()
        {
            ["LOCAL_SETTINGS"] = TelemetryOnlySettings(LocalServer.FreePort()),
            ["DASHBOARD_PORT"] = dashboardPort.ToString(CultureInfo.InvariantCulture),
            ["PATH"] = docker.Path,
        });

        Assert.True(run.WaitForExit(TimeSpan.FromSeconds(60)), run.Output);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"127.0.0.1:{dashboardPort}", run.Output, StringComparison.Ordinal);
        Assert.Contains("DASHBOARD_PORT", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("ready:", run.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(started), "The dashboard was started on a port another process holds.");
    }

    [Fact]
    public void Without_the_dashboard_package_and_no_feed_the_other_dependencies_still_start_and_the_summary_says_why_telemetry_is_not()
    {
        var (docker, started) = StandInDashboard(restores: false);
        var (otlp, smtp, web) = (LocalServer.FreePort(), LocalServer.FreePort(), LocalServer.FreePort());
        var settings = TelemetryOnlySettings(otlp, smtp);
        _ = NodeTools.BinScript("maildev");
        using var run = ScriptRun.Start(["--no-docker", "--deps-only"], new()
        {
            ["LOCAL_SETTINGS"] = settings,
            ["MAILDEV_WEB_PORT"] = web.ToString(CultureInfo.InvariantCulture),
            ["PATH"] = docker.Path,
        });

        var summary = run.WaitForLine(line => line.StartsWith("ready:", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        Assert.Matches(@"telemetry +http://127\.0\.0\.1:\d+ +\(not started: the Aspire dashboard package could not be restored", summary);
        Assert.Matches(@"smtp +127\.0\.0\.1:\d+ +\(started", summary);
        Assert.False(File.Exists(started));

        run.Terminate();
        Assert.True(run.WaitForExit(TimeSpan.FromSeconds(30)), "The script did not exit on SIGTERM.");
        Assert.All(new[] { smtp, web }, port => Assert.False(LocalServer.Accepts(port), $"Port {port} still answers after the script exited."));
    }

    [Fact]
    public void Deps_only_uses_what_already_answers_and_starts_nothing()
    {
        using var cosmos = new TcpListener(IPAddress.Loopback, 0);
        using var smtp = new TcpListener(IPAddress.Loopback, 0);
        cosmos.Start();
        smtp.Start();
        var settings = WriteSettings(values =>
        {
            values[AppSettings.CosmosAccountEndpoint] = $"https://127.0.0.1:{((IPEndPoint)cosmos.LocalEndpoint).Port}/";
            values[AppSettings.EmailSmtpPort] = ((IPEndPoint)smtp.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
            values["AzureWebJobsStorage"] = "DefaultEndpointsProtocol=https;AccountName=contoso;EndpointSuffix=core.windows.net";
        });
        var docker = StandInDocker(engineAnswers: true);
        using var run = ScriptRun.Start(["--no-docker", "--deps-only"], new() { ["LOCAL_SETTINGS"] = settings, ["PATH"] = docker.Path });

        Assert.True(run.WaitForExit(TimeSpan.FromSeconds(60)), "The script kept running with nothing to start.");

        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"cosmos +https://127\.0\.0\.1:\d+/ +\(already running", run.Output);
        Assert.Matches(@"smtp +127\.0\.0\.1:\d+ +\(already running", run.Output);
        Assert.Contains("storage     (not local", run.Output, StringComparison.Ordinal);
        Assert.Contains("servicebus  localhost  (not started: --no-docker", run.Output, StringComparison.Ordinal);
        Assert.Contains("Nothing to start", run.Output, StringComparison.Ordinal);
        Assert.Empty(docker.Calls); // --no-docker does not even ask
    }

    [Fact]
    public void The_full_run_without_core_tools_says_what_to_install()
    {
        var emptyPath = Directory.CreateDirectory(Path.Combine(_dir, "empty-path")).FullName;
        using var run = ScriptRun.Start([], new() { ["PATH"] = emptyPath });

        Assert.True(run.WaitForExit(TimeSpan.FromSeconds(30)));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Azure Functions Core Tools v4 (func) is required", run.Output, StringComparison.Ordinal);
        Assert.Contains("--deps-only", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_full_run_hands_over_to_dotnet_run_with_the_dependencies_up_and_stops_them_when_it_returns()
    {
        var (cosmos, smtp, web) = (LocalServer.FreePort(), LocalServer.FreePort(), LocalServer.FreePort());
        var settings = WriteSettings(values =>
        {
            values[AppSettings.CosmosAccountEndpoint] = $"https://127.0.0.1:{cosmos}/";
            values[AppSettings.EmailSmtpPort] = smtp.ToString(CultureInfo.InvariantCulture);
            values["AzureWebJobsStorage"] = "DefaultEndpointsProtocol=https;AccountName=contoso;EndpointSuffix=core.windows.net";
        });
        // Stand-ins for Core Tools and `dotnet run` (which would start the Functions host): the latter reports its
        // arguments and whether Cosmos and SMTP answer while it runs.
        var docker = StandInDocker(engineAnswers: false);
        WriteExecutable(Path.Combine(docker.Bin, "func"), "exit 0");
        WriteExecutable(Path.Combine(docker.Bin, "dotnet"), $$"""
            echo "dotnet $*"
            echo "ServiceBus=${ServiceBus:-}"
            for port in {{cosmos}} {{smtp}}; do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && echo "answers $port"; done
            """);
        _ = NodeTools.BinScript("maildev");
        using var run = ScriptRun.Start(["--port", "7072"], new()
        {
            ["LOCAL_SETTINGS"] = settings,
            ["MAILDEV_WEB_PORT"] = web.ToString(CultureInfo.InvariantCulture),
            ["PATH"] = docker.Path,
        });

        Assert.True(run.WaitForExit(TimeSpan.FromSeconds(120)), run.Output);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("dotnet run --project functions/ServerlessBackend.Functions --port 7072", run.Output, StringComparison.Ordinal);
        Assert.Contains("ServiceBus=\n", run.Output + "\n", StringComparison.Ordinal); // no emulator: the settings' namespace stays
        Assert.Contains($"answers {cosmos}", run.Output, StringComparison.Ordinal);
        Assert.Contains($"answers {smtp}", run.Output, StringComparison.Ordinal);
        Assert.All(new[] { cosmos, smtp, web }, port => Assert.False(LocalServer.Accepts(port), $"Port {port} still answers after the script exited."));
    }

    [Fact]
    public void With_a_docker_engine_the_emulators_start_with_compose_on_the_configured_ports_the_host_gets_the_emulator_connection_and_all_is_removed_on_exit()
    {
        var ports = Enumerable.Range(0, 6).Select(_ => LocalServer.FreePort()).ToArray();
        var (cosmos, smtp, web, blob, queue, table) = (ports[0], ports[1], ports[2], ports[3], ports[4], ports[5]);
        var settings = WriteLocalSettings(cosmos, smtp, blob, queue, table);
        // The sample's Service Bus namespace is localhost: the emulator's default AMQP port, 5672, must be free here.
        // The stand-in `docker compose up` starts, for the services it is asked for, what listens where the real
        // containers would (the local Cosmos server answers the emulator's readiness URL; Azurite); its `logs
        // servicebus` reports the emulator up. `dotnet run` reports what the host would get.
        var docker = StandInDocker(engineAnswers: true);
        WriteExecutable(Path.Combine(docker.Bin, "func"), "exit 0");
        WriteExecutable(Path.Combine(docker.Bin, "dotnet"), $$"""
            echo "dotnet $*"
            echo "ServiceBus=${ServiceBus:-}"
            for port in {{cosmos}} {{blob}} {{table}} {{smtp}}; do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && echo "answers $port"; done
            """);
        _ = NodeTools.BinScript("azurite");
        using var run = ScriptRun.Start([], new()
        {
            ["LOCAL_SETTINGS"] = settings,
            ["MAILDEV_WEB_PORT"] = web.ToString(CultureInfo.InvariantCulture),
            ["PATH"] = docker.Path,
        });

        Assert.True(run.WaitForExit(TimeSpan.FromSeconds(180)), run.Output);

        Assert.Equal(0, run.ExitCode);
        var calls = docker.Calls;
        Assert.Contains(
            $"compose --project-name serverless-backend-local --file tests/ServerlessBackend.IntegrationTests/Emulators/compose.yaml up --detach cosmos azurite servicebus " +
            $"| COSMOS_PORT={cosmos} BLOB_PORT={blob} QUEUE_PORT={queue} TABLE_PORT={table} SERVICEBUS_PORT=5672",
            calls, StringComparison.Ordinal);
        Assert.Contains("compose --project-name serverless-backend-local --file tests/ServerlessBackend.IntegrationTests/Emulators/compose.yaml down --volumes", calls, StringComparison.Ordinal);
        Assert.True(calls.IndexOf(" up --detach", StringComparison.Ordinal) < calls.IndexOf(" down --volumes", StringComparison.Ordinal));
        Assert.Contains("ServiceBus=Endpoint=sb://localhost:5672;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;", run.Output, StringComparison.Ordinal);
        Assert.All(new[] { cosmos, blob, table, smtp }, port => Assert.Contains($"answers {port}", run.Output, StringComparison.Ordinal));
        Assert.Matches(@"cosmos +https://127\.0\.0\.1:\d+/ +\(started: Cosmos DB emulator in Docker", run.Output);
        Assert.Contains("(started: Service Bus emulator in Docker with the app's topology", run.Output, StringComparison.Ordinal);

        // The SQL Server password: a fresh strong one for compose, never printed.
        var password = File.ReadAllText(docker.PasswordFile).Trim();
        Assert.Matches("^(?=.*[a-z])(?=.*[A-Z])(?=.*[0-9])(?=.*[^a-zA-Z0-9]).{16,}$", password);
        Assert.DoesNotContain(password, run.Output, StringComparison.Ordinal);

        Assert.All(new[] { cosmos, smtp, web, blob, queue, table }, port => Assert.False(LocalServer.Accepts(port), $"Port {port} still answers after the script exited."));
    }

    [Fact]
    public void The_docker_flag_without_a_docker_engine_says_what_is_missing_and_starts_nothing()
    {
        var docker = StandInDocker(engineAnswers: false);
        using var run = ScriptRun.Start(["--docker", "--deps-only"], new() { ["PATH"] = docker.Path, ["LOCAL_SETTINGS"] = WriteSettings(_ => { }) });

        Assert.True(run.WaitForExit(TimeSpan.FromSeconds(30)), run.Output);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--docker: no Docker engine answers (docker info failed). Install and start Docker", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("started", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(" compose ", docker.Calls, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// A `docker` on PATH (first, before the real PATH) that logs each call with the compose settings it was given
    /// and answers `docker info` only when <paramref name="engineAnswers"/>. Its `compose up` starts the local servers
    /// on the exported ports, `compose down` stops them.
    /// </summary>
    private StandInDockerCommand StandInDocker(bool engineAnswers)
    {
        var bin = Directory.CreateDirectory(Path.Combine(_dir, "bin")).FullName;
        var log = Path.Combine(_dir, "docker-calls.log");
        var pids = Path.Combine(_dir, "docker-pids");
        var password = Path.Combine(_dir, "sql-password");
        File.WriteAllText(log, "");
        WriteExecutable(Path.Combine(bin, "docker"), $$"""
            echo "$* | COSMOS_PORT=${COSMOS_PORT:-} BLOB_PORT=${BLOB_PORT:-} QUEUE_PORT=${QUEUE_PORT:-} TABLE_PORT=${TABLE_PORT:-} SERVICEBUS_PORT=${SERVICEBUS_PORT:-}" >> '{{log}}'
            [ -n "${SQL_PASSWORD:-}" ] && printf '%s' "$SQL_PASSWORD" > '{{password}}'
            case "$1" in
              info) {{(engineAnswers ? "exit 0" : "echo 'Cannot connect to the Docker daemon' >&2; exit 1")}} ;;
              compose) shift ;;
              *) exit 1 ;;
            esac
            while [ "$1" = --project-name ] || [ "$1" = --file ]; do shift 2; done
            case "$1" in
              version) exit 0 ;;
              up)
                shift 2
                for service in "$@"; do
                  case "$service" in
                    cosmos) node '{{NodeTools.ToolsScript("cosmosdb-server.js")}}' --host 127.0.0.1 --port "$COSMOS_PORT" >/dev/null 2>&1 & echo $! >> '{{pids}}' ;;
                    azurite) node '{{NodeTools.BinScript("azurite")}}' --silent --inMemoryPersistence --blobHost 127.0.0.1 --blobPort "$BLOB_PORT"                       --queueHost 127.0.0.1 --queuePort "$QUEUE_PORT" --tableHost 127.0.0.1 --tablePort "$TABLE_PORT" >/dev/null 2>&1 & echo $! >> '{{pids}}' ;;
                    servicebus) touch '{{pids}}.servicebus' ;;
                  esac
                done ;;
              logs) [ -f '{{pids}}.servicebus' ] && echo "Emulator Service is Successfully Up!" ;;
              down)
                # Like compose: SIGTERM, SIGKILL after 10 s, and returns once everything it stopped is gone.
                for pid in $(cat '{{pids}}' 2>/dev/null); do
                  kill "$pid" 2>/dev/null
                  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
                  kill -KILL "$pid" 2>/dev/null
                  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
                done
                rm -f '{{pids}}' '{{pids}}.servicebus' ;;
            esac
            exit 0
            """);
        return new StandInDockerCommand(bin, $"{bin}{Path.PathSeparator}{Environment.GetEnvironmentVariable("PATH")}", log, password);
    }

    /// <summary>
    /// A `dotnet` on PATH whose restore of the dashboard package succeeds or fails as an offline first run does (no
    /// feed answers), and whose dashboard, once started, notes it in the returned file and listens on its OTLP port.
    /// </summary>
    private (StandInDockerCommand Path, string StartedFile) StandInDashboard(bool restores)
    {
        var docker = StandInDocker(engineAnswers: false);
        var started = Path.Combine(_dir, "dashboard-started");
        var dashboard = Path.Combine(docker.Bin, "Aspire.Dashboard");
        WriteExecutable(dashboard, $$"""
            touch '{{started}}'
            exec node -e 'require("net").createServer().listen(+process.argv[1], "127.0.0.1")' "${DOTNET_DASHBOARD_OTLP_ENDPOINT_URL##*:}"
            """);
        WriteExecutable(Path.Combine(docker.Bin, "dotnet"), $$"""
            case "$1" in
              restore) {{(restores ? "exit 0" : "echo 'error NU1301: Unable to load the service index for source https://api.nuget.org/v3/index.json.'; exit 1")}} ;;
              msbuild) echo '{{dashboard}}' ;;
            esac
            """);
        return (docker, started);
    }

    /// <summary>Settings with nothing local but telemetry (and SMTP when a port is given).</summary>
    private string TelemetryOnlySettings(int otlp, int? smtp = null) => WriteSettings(values =>
    {
        values[AppSettings.CosmosAccountEndpoint] = "https://contoso.documents.azure.com/";
        if (smtp is { } port)
        {
            values[AppSettings.EmailSmtpPort] = port.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            values[AppSettings.EmailSmtpHost] = "smtp.contoso.com";
        }

        values["AzureWebJobsStorage"] = "DefaultEndpointsProtocol=https;AccountName=contoso;EndpointSuffix=core.windows.net";
        values[AppSettings.OtlpEndpoint] = $"http://127.0.0.1:{otlp}";
    });

    private sealed record StandInDockerCommand(string Bin, string Path, string LogFile, string PasswordFile)
    {
        public string Calls => File.ReadAllText(LogFile);
    }

    private static void WriteExecutable(string path, string body)
    {
        File.WriteAllText(path, "#!/usr/bin/env bash\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static string Endpoint(string summary, string name) =>
        SummaryLine().Matches(summary).Single(m => m.Groups["name"].Value == name).Groups["endpoint"].Value;


    private static async Task<List<ReceivedMail>> WaitForMailAsync(HttpClient http)
    {
        for (var attempt = 0; ; attempt++)
        {
            var mails = await http.GetFromJsonAsync<List<ReceivedMail>>("email") ?? [];
            if (mails.Count > 0 || attempt == 100)
            {
                return mails;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The sample settings with every local dependency on the given ports (storage as Azurite's connection string).</summary>
    private string WriteLocalSettings(int cosmos, int smtp, int blob, int queue, int table) => WriteSettings(values =>
    {
        values[AppSettings.CosmosAccountEndpoint] = $"https://127.0.0.1:{cosmos}/";
        values[AppSettings.EmailSmtpPort] = smtp.ToString(CultureInfo.InvariantCulture);
        values["AzureWebJobsStorage"] = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
            $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1";
    });

    /// <summary>A copy of local.settings.sample.json with some values changed, in this test's folder.</summary>
    private string WriteSettings(Action<JsonObject> change)
    {
        var sample = JsonNode.Parse(File.ReadAllText(RepoPaths.InRoot("local.settings.sample.json")))!.AsObject();
        var values = sample["Values"]!.AsObject();
        // The dashboard only where a test asks for it (it listens on fixed ports unless told otherwise).
        values.Remove(AppSettings.OtlpEndpoint);
        change(values);
        var path = Path.Combine(_dir, "local.settings.json");
        File.WriteAllText(path, sample.ToJsonString());
        return path;
    }

    [GeneratedRegex(@"^  (?<name>[a-z]+) +(?<endpoint>\S+) ", RegexOptions.Multiline)]
    private static partial Regex SummaryLine();

    /// <summary>The script in its own session (setsid), so that its whole process group can be killed if a test fails.</summary>
    private sealed class ScriptRun : IDisposable
    {
        private readonly Process _process;
        private readonly List<string> _lines = [];

        private ScriptRun(Process process) => _process = process;

        public string Output
        {
            get
            {
                lock (_lines)
                {
                    return string.Join('\n', _lines);
                }
            }
        }

        public int ExitCode => _process.ExitCode;

        public static ScriptRun Start(IEnumerable<string> arguments, Dictionary<string, string> environment)
        {
            // Absolute paths: the child's PATH may be the test's own (see the Core Tools test).
            var start = new ProcessStartInfo(Which("setsid"))
            {
                WorkingDirectory = RepoPaths.Root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { Which("bash"), Script }.Concat(arguments))
            {
                start.ArgumentList.Add(argument);
            }

            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start run-local.sh.");
            var run = new ScriptRun(process);
            process.OutputDataReceived += (_, e) => run.Append(e.Data);
            process.ErrorDataReceived += (_, e) => run.Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return run;
        }

        /// <summary>Everything printed up to and including the first line that matches.</summary>
        public string WaitForLine(Func<string, bool> match, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                lock (_lines)
                {
                    if (_lines.Any(match))
                    {
                        return string.Join('\n', _lines);
                    }
                }

                if (_process.HasExited || DateTime.UtcNow > deadline)
                {
                    if (_process.HasExited)
                    {
                        _process.WaitForExit(); // drains the redirected output before it goes into the message
                    }

                    throw new InvalidOperationException($"run-local.sh did not get ready:\n{Output}");
                }

                Thread.Sleep(100);
            }
        }

        public void Terminate()
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }

        public bool WaitForExit(TimeSpan timeout)
        {
            if (!_process.WaitForExit(timeout))
            {
                return false;
            }

            _process.WaitForExit(); // drains the redirected output
            return true;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                // The script leads its own process group (setsid): stop it and every server it started.
                using var kill = Process.Start("kill", ["-KILL", "--", $"-{_process.Id.ToString(CultureInfo.InvariantCulture)}"]);
                kill.WaitForExit();
                _process.WaitForExit(10_000);
            }

            _process.Dispose();
        }

        private static string Which(string program) =>
            (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
                .Select(dir => Path.Combine(dir, program))
                .FirstOrDefault(File.Exists) ?? throw new InvalidOperationException($"{program} is not on PATH.");

        private void Append(string? line)
        {
            if (line is not null)
            {
                lock (_lines)
                {
                    _lines.Add(line);
                }
            }
        }
    }
}
