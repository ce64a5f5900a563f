using System.Text.RegularExpressions;

namespace ServerlessBackend.IntegrationTests.Infra;

/// <summary>
/// The Function App's app settings in the compiled deployment: name to value (values are ARM
/// expressions where they are computed at deployment time). The functionApp module merges the
/// settings main.bicep passes, its own host settings, and the Application Insights connection string.
/// </summary>
public static partial class AppSettingsOf
{
    public const string MergeExpressionStart = "[union(parameters('appSettings'), variables('hostSettings'), ";

    public static IReadOnlyDictionary<string, string> Compiled()
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var setting in CompiledInfra.ModuleParameter("functionApp", "appSettings").EnumerateObject())
        {
            settings.Add(setting.Name, setting.Value.ToString());
        }

        foreach (var setting in CompiledInfra.ModuleTemplate("functionApp").GetProperty("variables").GetProperty("hostSettings").EnumerateObject())
        {
            settings.Add(setting.Name, setting.Value.ToString());
        }

        var merged = ConfigResourceProperties();
        if (!merged.StartsWith(MergeExpressionStart, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The appsettings resource no longer merges the settings as expected: {merged}");
        }

        foreach (Match extra in CreateObjectKey().Matches(merged[MergeExpressionStart.Length..]))
        {
            settings.Add(extra.Groups["name"].Value, merged);
        }

        return settings;
    }

    public static string ConfigResourceProperties() =>
        CompiledInfra.Resource("functionApp", "Microsoft.Web/sites/config").GetProperty("properties").GetString()!;

    [GeneratedRegex(@"createObject\('(?<name>[^']+)'")]
    private static partial Regex CreateObjectKey();
}
