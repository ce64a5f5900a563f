namespace ServerlessBackend.ContractTests.Targets;

public enum TargetKind
{
    /// <summary>API_BASE_URL: a running app (local or deployed), tokens from the environment.</summary>
    ApiBaseUrl,

    /// <summary>Azure Functions Core Tools on PATH: the suite starts the app with <c>func start</c>.</summary>
    Func,
}

public sealed record DiscoveredTarget(TargetKind Kind, Uri? BaseUrl, string? FuncPath);

/// <summary>Where the contract suite finds its target: API_BASE_URL, else <c>func</c> on PATH, else nowhere (the suite is not discovered).</summary>
public static class TargetDiscovery
{
    public const string BaseUrlVariable = "API_BASE_URL";

    /// <summary>When set (e.g. the Service Bus emulator's connection string), the app started by the suite gets it and keeps its Service Bus functions.</summary>
    public const string ServiceBusVariable = "SERVICEBUS_EMULATOR_CONNECTION";

    public static DiscoveredTarget? Discover(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment(BaseUrlVariable) is { Length: > 0 } url)
        {
            return new DiscoveredTarget(TargetKind.ApiBaseUrl, WithTrailingSlash(new Uri(url)), null);
        }

        return FindOnPath("func", environment("PATH")) is { } func ? new DiscoveredTarget(TargetKind.Func, null, func) : null;
    }

    /// <summary>The first executable file named <paramref name="name"/> in the directories of <paramref name="path"/>.</summary>
    public static string? FindOnPath(string name, string? path) =>
        (path ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(file => File.Exists(file) && (File.GetUnixFileMode(file) & UnixFileMode.UserExecute) != 0);

    public static Uri WithTrailingSlash(Uri url) => url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
}
