using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ServerlessBackend.Load;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.ContractTests.Targets;

/// <summary>
/// The app started the way a developer starts it: the local servers the tests use (the Cosmos protocol server, MailDev,
/// Azurite) on free 127.0.0.1 ports, then <c>func start --port {free}</c> in the Functions build output with app settings
/// pointing at them (environment variables, which Core Tools prefers to local.settings.json), the development signing
/// key, and the Service Bus functions disabled unless a Service Bus connection is given. Ready when /api/health answers
/// 200; dispose stops func (with its children) and the servers.
/// </summary>
public sealed class FuncApp : IContractApp, IDisposable
{
    /// <summary>The Stripe webhook signing secret of the app this suite starts.</summary>
    public const string StripeWebhookSecret = "whsec_contract_local";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    private readonly List<IDisposable> _servers = [];
    private readonly StringBuilder _output = new();
    private Process? _func;

    private FuncApp(string description) => Description = description;

    public Uri BaseUrl { get; private set; } = null!;

    public ApiIdentities Identities { get; private set; } = null!;

    public string Description { get; }

    /// <summary>The app settings func was started with.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; private set; } = new Dictionary<string, string>();

    public int Port { get; private set; }

    /// <summary>Whether the app runs without Service Bus (none was given): then the dead-letter routes cannot reach it.</summary>
    public bool WithoutServiceBus { get; private set; }

    public int? FuncProcessId => _func?.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the servers and <paramref name="func"/> in <paramref name="scriptRoot"/>; <paramref name="environment"/> is read for a Service Bus connection.</summary>
    public static FuncApp Start(string func, string scriptRoot, Func<string, string?> environment, string description)
    {
        var app = new FuncApp(description);
        try
        {
            app.StartAll(func, scriptRoot, environment);
            return app;
        }
        catch
        {
            app.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_func is { } func)
        {
            try
            {
                if (!func.HasExited)
                {
                    func.Kill(entireProcessTree: true);
                    func.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            func.Dispose();
            _func = null;
        }

        foreach (var server in _servers)
        {
            server.Dispose();
        }

        _servers.Clear();
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private void StartAll(string func, string scriptRoot, Func<string, string?> environment)
    {
        var cosmos = LocalServer.FreePort();
        _servers.Add(LocalServer.Start("cosmosdb-server.js", ["--host", "127.0.0.1", "--port", Text(cosmos), "--serve-query-plans"], [cosmos]));
        var smtp = new SmtpServerFixture();
        _servers.Add(smtp);
        var azurite = new AzuriteFixture();
        _servers.Add(azurite);

        var settings = AppSettings(scriptRoot, cosmos, smtp.SmtpPort, azurite.ConnectionString, environment(TargetDiscovery.ServiceBusVariable));
        Settings = settings;
        WithoutServiceBus = !settings.ContainsKey("ServiceBus");
        Port = LocalServer.FreePort();
        BaseUrl = new Uri($"http://127.0.0.1:{Port}/api/");
        Identities = new ApiIdentities(name => name switch
        {
            "API_TOKENS" => ApiIdentities.Development,
            "Auth__Authority" or "Auth__Audiences" => settings[name],
            _ => null,
        });

        var start = new ProcessStartInfo(func) { WorkingDirectory = scriptRoot, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "start", "--port", Text(Port) })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        _func = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {func}.");
        _func.OutputDataReceived += (_, e) => Append(e.Data);
        _func.ErrorDataReceived += (_, e) => Append(e.Data);
        _func.BeginOutputReadLine();
        _func.BeginErrorReadLine();
        WaitForHealth(func);
    }

    /// <summary>The app settings func gets: the local servers' endpoints, the development key, and Service Bus as given (or its functions disabled).</summary>
    public static Dictionary<string, string> AppSettings(string scriptRoot, int cosmos, int smtp, string storage, string? serviceBus)
    {
        // The documented development issuer and audience, as the sample settings hold them.
        using var sample = JsonDocument.Parse(File.ReadAllText(RepoPaths.InRoot("local.settings.sample.json")));
        var values = sample.RootElement.GetProperty("Values");
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
            ["AzureWebJobsStorage"] = storage,
            ["Cosmos__AccountEndpoint"] = $"https://127.0.0.1:{cosmos}/",
            ["Cosmos__DatabaseName"] = "contract",
            ["Cosmos__AllowUntrustedLoopbackCertificate"] = "true",
            ["Auth__Authority"] = values.GetProperty("Auth__Authority").GetString()!,
            ["Auth__Audiences"] = values.GetProperty("Auth__Audiences").GetString()!,
            ["Auth__UseDevelopmentKey"] = "true",
            ["Email__SmtpHost"] = "127.0.0.1",
            ["Email__SmtpPort"] = Text(smtp),
            ["Email__FromAddress"] = "shop@localhost",
            // The local provider takes the payments; the webhook route still checks Stripe signatures made with this secret.
            ["Payments__Stripe__WebhookSecret"] = StripeWebhookSecret,
        };
        if (serviceBus is { Length: > 0 })
        {
            settings["ServiceBus"] = serviceBus;
        }
        else
        {
            // No Service Bus: its functions are disabled, the publisher fails fast against a loopback namespace.
            settings["ServiceBus__fullyQualifiedNamespace"] = "localhost";
            foreach (var name in ServiceBusFunctions(scriptRoot))
            {
                settings[$"AzureWebJobs.{name}.Disabled"] = "true";
            }
        }

        return settings;
    }

    /// <summary>The functions with a Service Bus trigger, from the build's functions.metadata.</summary>
    public static IEnumerable<string> ServiceBusFunctions(string scriptRoot)
    {
        using var metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(scriptRoot, "functions.metadata")));
        return [.. metadata.RootElement.EnumerateArray()
            .Where(f => f.GetProperty("bindings").EnumerateArray().Any(b => b.GetProperty("type").GetString() == "serviceBusTrigger"))
            .Select(f => f.GetProperty("name").GetString()!)];
    }

    private void WaitForHealth(string func)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (_func!.HasExited)
            {
                _func.WaitForExit(); // drains the redirected output before it goes into the message
                throw new InvalidOperationException($"{func} start exited with code {_func.ExitCode} before /api/health answered:\n{Output}");
            }

            try
            {
                using var response = http.GetAsync(new Uri(BaseUrl, "health")).GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening but not answering yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"/api/health did not answer 200 within {StartTimeout.TotalSeconds} s:\n{Output}");
            }

            Thread.Sleep(200);
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
