using System.Text.Json;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Infra;

/// <summary>
/// bicep build and bicep lint must be spotless: Bicep reports schema problems (a misspelled property,
/// a wrong enum value, an API version without types) only as warnings with exit code 0, so any Warning
/// or Error line fails here.
/// </summary>
public sealed class BicepCompilationTests
{
    [Fact]
    public void Build_succeeds_without_warnings()
    {
        Assert.Equal(0, CompiledInfra.Build.ExitCode);
        Assert.Empty(CompiledInfra.Build.Problems);
    }

    [Fact]
    public void Lint_passes_without_warnings()
    {
        Assert.Equal(0, CompiledInfra.Lint.ExitCode);
        Assert.Empty(CompiledInfra.Lint.Problems);
    }

    [Fact]
    public void Schema_mistakes_that_bicep_only_warns_about_are_caught()
    {
        var directory = Directory.CreateTempSubdirectory("bicep-typo-");
        try
        {
            var file = Path.Combine(directory.FullName, "typo.bicep");
            File.WriteAllText(file, """
                resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' = {
                  name: 'sttypo'
                  location: resourceGroup().location
                  kind: 'StorageV2'
                  sku: { name: 'Standard_LRS' }
                  properties: { allowSharedKeyAcess: false }
                }
                """);

            var run = BicepCli.Run("build", file, "--stdout");

            Assert.Equal(0, run.ExitCode);
            Assert.Contains(run.Problems, line => line.Contains("allowSharedKeyAcess", StringComparison.Ordinal));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Every_enabled_lint_rule_is_an_error()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(RepoPaths.InRoot("infra", "bicepconfig.json")));
        var core = config.RootElement.GetProperty("analyzers").GetProperty("core");
        var levels = core.GetProperty("rules").EnumerateObject()
            .ToDictionary(rule => rule.Name, rule => rule.Value.GetProperty("level").GetString());

        Assert.True(core.GetProperty("enabled").GetBoolean());
        Assert.All(levels, rule => Assert.Contains(rule.Value, new[] { "error", "off" }));
        // The rules that keep secrets out of the template and its outputs are on.
        Assert.Equal("error", levels["outputs-should-not-contain-secrets"]);
        Assert.Equal("error", levels["secure-secrets-in-params"]);
        Assert.Equal("error", levels["use-secure-value-for-secure-inputs"]);
        Assert.Equal("error", levels["no-hardcoded-env-urls"]);
    }
}
