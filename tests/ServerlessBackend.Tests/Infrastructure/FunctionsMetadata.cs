using System.Text.Json;

namespace ServerlessBackend.Tests.Infrastructure;

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

    public static IEnumerable<JsonElement> Functions => Document.Value.EnumerateArray();

    public static JsonElement Function(string name) =>
        Functions.SingleOrDefault(f => f.GetProperty("name").GetString() == name) is { ValueKind: JsonValueKind.Object } function
            ? function
            : throw new InvalidOperationException($"functions.metadata has no function named '{name}'.");

    public static IEnumerable<JsonElement> Bindings(string name) => Function(name).GetProperty("bindings").EnumerateArray();

    public static JsonElement Trigger(string name) =>
        Bindings(name).Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    /// <summary>
    /// The entry point of the HTTP function whose route template and method match, as the host routes: literal
    /// segments must be equal, a parameter takes one segment, and the template with more literal segments wins.
    /// </summary>
    public static string? EntryPointFor(string method, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var segments = path.Split('?')[0].Trim('/').Split('/');
        if (segments.Length == 0 || segments[0] != "api")
        {
            return null;
        }

        segments = segments[1..];
        return Functions
            .Select(f => (EntryPoint: f.GetProperty("entryPoint").GetString()!, Trigger: f.GetProperty("bindings").EnumerateArray().FirstOrDefault(b => b.GetProperty("type").GetString() == "httpTrigger")))
            .Where(f => f.Trigger.ValueKind == JsonValueKind.Object
                && f.Trigger.GetProperty("methods").EnumerateArray().Any(m => string.Equals(m.GetString(), method, StringComparison.OrdinalIgnoreCase)))
            .Select(f => (f.EntryPoint, Template: f.Trigger.GetProperty("route").GetString()!.Split('/')))
            .Where(f => f.Template.Length == segments.Length && f.Template.Zip(segments).All(s => s.First.StartsWith('{') || s.First == s.Second))
            .OrderByDescending(f => f.Template.Count(s => !s.StartsWith('{')))
            .Select(f => f.EntryPoint)
            .FirstOrDefault();
    }
}
