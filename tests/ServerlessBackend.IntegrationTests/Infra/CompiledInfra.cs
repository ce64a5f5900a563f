using System.Text.Json;
using System.Text.RegularExpressions;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Infra;

/// <summary>
/// infra/main.bicep compiled and linted once per test run by the real Bicep CLI; every infra test
/// reads the same ARM JSON. Modules compile to nested deployments, each found by its symbolic name
/// in main.bicep (identity, storage, cosmos, serviceBus, functionApp, ...).
/// </summary>
public static partial class CompiledInfra
{
    private static readonly Lazy<(BicepRun Build, JsonElement Template)> Compiled = new(Compile, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<BicepRun> Linted = new(() => BicepCli.Run("lint", MainBicep), LazyThreadSafetyMode.ExecutionAndPublication);

    public static string MainBicep => RepoPaths.InRoot("infra", "main.bicep");

    public static BicepRun Build => Compiled.Value.Build;

    public static BicepRun Lint => Linted.Value;

    public static JsonElement Template => Compiled.Value.Template;

    /// <summary>The compiled JSON as text, for whole-template scans (listKeys, key material).</summary>
    public static string Text => Template.GetRawText();

    public static JsonElement Parameter(string name) => Template.GetProperty("parameters").GetProperty(name);

    public static JsonElement Module(string symbolicName) =>
        Template.GetProperty("resources").TryGetProperty(symbolicName, out var module)
            ? module
            : throw new InvalidOperationException($"main.bicep has no module named '{symbolicName}'.");

    /// <summary>A module's parameter value as main.bicep passes it, with references to main's variables resolved.</summary>
    public static JsonElement ModuleParameter(string module, string parameter) =>
        Resolve(Module(module).GetProperty("properties").GetProperty("parameters").GetProperty(parameter).GetProperty("value"));

    public static JsonElement ModuleTemplate(string module) => Module(module).GetProperty("properties").GetProperty("template");

    public static IReadOnlyList<JsonElement> Resources(string module, string type) =>
        ModuleTemplate(module).GetProperty("resources").EnumerateArray()
            .Where(r => r.GetProperty("type").GetString() == type)
            .ToList();

    public static JsonElement Resource(string module, string type) =>
        Resources(module, type) is [var single] ? single : throw new InvalidOperationException($"Expected exactly one {type} in module '{module}'.");

    /// <summary>Every resource of every module (and main's own), for scans across the whole deployment.</summary>
    public static IEnumerable<(string Module, JsonElement Resource)> AllResources()
    {
        foreach (var top in Template.GetProperty("resources").EnumerateObject())
        {
            if (top.Value.GetProperty("type").GetString() == "Microsoft.Resources/deployments")
            {
                foreach (var resource in ModuleTemplate(top.Name).GetProperty("resources").EnumerateArray())
                {
                    yield return (top.Name, resource);
                }
            }
            else
            {
                yield return ("main", top.Value);
            }
        }
    }

    /// <summary>
    /// Resolves <c>[variables('name')]</c>, optionally followed by <c>.property</c> steps, against
    /// main's variables (Bicep compiles loadJsonContent into such variables). Anything else is returned as is.
    /// </summary>
    public static JsonElement Resolve(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String || VariableReference().Match(value.GetString()!) is not { Success: true } match)
        {
            return value;
        }

        var resolved = Resolve(Template.GetProperty("variables").GetProperty(match.Groups["name"].Value));
        foreach (var step in match.Groups["path"].Value.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            resolved = Resolve(resolved.GetProperty(step));
        }

        return resolved;
    }

    private static (BicepRun, JsonElement) Compile()
    {
        var output = Path.Combine(Path.GetTempPath(), $"serverless-backend-main-{Guid.NewGuid():N}.json");
        try
        {
            var build = BicepCli.Run("build", MainBicep, "--outfile", output);
            if (build.ExitCode != 0 || !File.Exists(output))
            {
                throw new InvalidOperationException($"bicep build failed: {build}");
            }

            using var document = JsonDocument.Parse(File.ReadAllText(output));
            return (build, document.RootElement.Clone());
        }
        finally
        {
            File.Delete(output);
        }
    }

    [GeneratedRegex(@"^\[variables\('(?<name>[^']+)'\)(?<path>(\.[A-Za-z_][A-Za-z0-9_]*)*)\]$")]
    private static partial Regex VariableReference();
}
