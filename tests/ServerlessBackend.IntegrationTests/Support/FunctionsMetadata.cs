using System.Text.Json;
using ServerlessBackend.LocalHost;

namespace ServerlessBackend.Tests.Support;

/// <summary>The Functions app's generated functions.metadata (real Worker SDK output).</summary>
public static class FunctionsMetadata
{
    private static readonly Lazy<JsonElement> Document = new(() =>
    {
        var path = Path.Combine(RepoPaths.FunctionsOutput, "functions.metadata");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing: build the Functions app in the same configuration as the tests.");
        }

        return JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone();
    });

    private static readonly Lazy<HostRoutes> Routes = new(() => HostRoutes.Load(RepoPaths.FunctionsOutput));

    public static IEnumerable<JsonElement> Functions => Document.Value.EnumerateArray();

    public static JsonElement Function(string name) =>
        Functions.SingleOrDefault(f => f.GetProperty("name").GetString() == name) is { ValueKind: JsonValueKind.Object } function
            ? function
            : throw new InvalidOperationException($"functions.metadata has no function named '{name}'.");

    public static IEnumerable<JsonElement> Bindings(string name) => Function(name).GetProperty("bindings").EnumerateArray();

    public static JsonElement Trigger(string name) =>
        Bindings(name).Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    /// <summary>
    /// The entry point of the function the host routes this request to: ASP.NET Core routing over functions.metadata in
    /// the host's route order (<see cref="HostRoutes"/>); null outside the route prefix.
    /// </summary>
    public static async Task<string?> EntryPointForAsync(string method, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return (await Routes.Value.MatchAsync(method, path.Split('?')[0]))?.Function.EntryPoint;
    }
}
