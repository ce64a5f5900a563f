using System.Text.Json;
using System.Text.RegularExpressions;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Foundation;

/// <summary>
/// The GitHub workflows: each passes @action-validator/cli (the workflow schema, and every `paths` glob must match a
/// file here), none builds with the Service Bus stand-in, and CI and Deploy do what tests/README.md, "Where the suites run", says they do.
/// </summary>
public sealed partial class WorkflowTests : IDisposable
{
    private static readonly string Workflows = RepoPaths.InRoot(".github", "workflows");
    private readonly string _dir = Directory.CreateTempSubdirectory("workflows-").FullName;

    public static TheoryData<string> WorkflowFiles => [.. Directory.GetFiles(Workflows, "*.yml").Select(f => Path.GetFileName(f)).Order()];

    [Theory]
    [MemberData(nameof(WorkflowFiles))]
    public async Task The_workflow_passes_action_validator(string file)
    {
        var (exitCode, output, errors) = await NodeTools.RunAsync("action-validator", RepoPaths.Root, Path.Combine(".github", "workflows", file));

        Assert.True(exitCode == 0, $"{file}:\n{output}{errors}");
    }

    [Fact]
    public async Task Action_validator_fails_a_workflow_with_a_misspelled_key()
    {
        var broken = Path.Combine(_dir, "broken.yml");
        File.WriteAllText(broken, File.ReadAllText(Path.Combine(Workflows, "ci.yml")).Replace("timeout-minutes:", "timeout-minute:", StringComparison.Ordinal));

        var (exitCode, _, errors) = await NodeTools.RunAsync("action-validator", RepoPaths.Root, broken);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Additional property 'timeout-minute' is not allowed", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void No_workflow_builds_with_the_service_bus_stand_in()
    {
        // Neither as an env key (`UseServiceBusStandIn: "true"`) nor as a property or variable (`-p:UseServiceBusStandIn=true`, `export ...=`).
        Assert.All(Directory.GetFiles(Workflows), file => Assert.DoesNotMatch(SetsStandInSwitch(), File.ReadAllText(file)));
        Assert.Matches(SetsStandInSwitch(), "      UseServiceBusStandIn: \"true\"");
        Assert.Matches(SetsStandInSwitch(), "dotnet build -p:UseServiceBusStandIn=true");
    }

    [Fact]
    public void CI_runs_on_push_and_pull_request_with_core_tools_the_contract_suite_and_both_emulator_suites()
    {
        var ci = NodeTools.ReadYaml(Path.Combine(Workflows, "ci.yml"));
        var on = ci.GetProperty("on");
        var test = Steps(ci, "build-and-test");

        Assert.True(on.TryGetProperty("push", out _) && on.TryGetProperty("pull_request", out _));
        Assert.Contains(test, s => s.Contains("npm i -g azure-functions-core-tools@4", StringComparison.Ordinal));
        Assert.Contains(test, s => s.Contains("dotnet test ServerlessBackend.sln", StringComparison.Ordinal));
        Assert.Contains(test, s => s.Contains("dotnet test tests/ServerlessBackend.ContractTests", StringComparison.Ordinal));
        Assert.Contains(Steps(ci, "cosmos-emulator"), s => s.Contains("FullyQualifiedName~Emulators.CosmosEmulator", StringComparison.Ordinal));
        Assert.Contains(Steps(ci, "servicebus-emulator"), s => s.Contains("FullyQualifiedName~Emulators.ServiceBus", StringComparison.Ordinal));
        Assert.Contains(Steps(ci, "local-flow"), s => s.Contains("bash tests/local-flow-check.sh", StringComparison.Ordinal));
        // The emulator jobs start what run-local.sh starts.
        Assert.Equal("tests/ServerlessBackend.IntegrationTests/Emulators/compose.yaml", ci.GetProperty("env").GetProperty("COMPOSE_FILE").GetString());
    }

    [Fact]
    public void Deploy_signs_in_with_openid_connect_and_no_secret_then_provisions_deploys_and_smoke_tests_the_deployed_api()
    {
        var text = File.ReadAllText(Path.Combine(Workflows, "deploy.yml"));
        var deploy = NodeTools.ReadYaml(Path.Combine(Workflows, "deploy.yml"));
        var job = deploy.GetProperty("jobs").GetProperty("deploy");
        var steps = Steps(deploy, "deploy");
        var env = job.GetProperty("env");

        Assert.True(deploy.GetProperty("on").TryGetProperty("workflow_dispatch", out _));
        Assert.Equal(["v*"], deploy.GetProperty("on").GetProperty("push").GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("write", deploy.GetProperty("permissions").GetProperty("id-token").GetString());
        foreach (var variable in new[] { "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID", "AZURE_ENV_NAME", "AZURE_LOCATION" })
        {
            Assert.Equal($"${{{{ vars.{variable} }}}}", env.GetProperty(variable).GetString());
        }

        Assert.Contains(steps, s => s.Contains("--federated-credential-provider github", StringComparison.Ordinal));
        Assert.DoesNotMatch("(?i)client[-_]?secret|AZURE_CREDENTIALS", text);
        var provision = steps.FindIndex(s => s.Contains("azd provision --no-prompt", StringComparison.Ordinal));
        var release = steps.FindIndex(s => s.Contains("azd deploy --no-prompt", StringComparison.Ordinal));
        var smoke = steps.FindIndex(s => s.Contains("dotnet test tests/ServerlessBackend.ContractTests", StringComparison.Ordinal));
        Assert.True(provision >= 0 && provision < release && release < smoke, string.Join('\n', steps));
        Assert.Contains(steps, s => s.Contains("azd env get-value API_BASE_URL", StringComparison.Ordinal));
    }

    [Fact]
    public void Deploy_passes_every_infra_parameter_that_azure_yaml_tells_azd_pipeline_config_to_set()
    {
        // Each ${NAME} in main.parameters.json that is not azd's own must reach `azd provision` on GitHub: listed in
        // azure.yaml (so `azd pipeline config` sets it) and passed from vars or secrets in deploy.yml.
        var parameters = ParameterVariable().Matches(File.ReadAllText(RepoPaths.InRoot("infra", "main.parameters.json")))
            .Select(m => m.Groups[1].Value).Where(name => !name.StartsWith("AZURE_", StringComparison.Ordinal)).Distinct().ToList();
        var pipeline = NodeTools.ReadYaml(RepoPaths.InRoot("azure.yaml")).GetProperty("pipeline");
        var listed = pipeline.GetProperty("variables").EnumerateArray().Select(v => (v.GetString()!, "vars"))
            .Concat(pipeline.GetProperty("secrets").EnumerateArray().Select(v => (v.GetString()!, "secrets"))).ToDictionary();
        var env = NodeTools.ReadYaml(Path.Combine(Workflows, "deploy.yml")).GetProperty("jobs").GetProperty("deploy").GetProperty("env");

        Assert.NotEmpty(parameters);
        Assert.All(parameters, name =>
        {
            Assert.True(listed.TryGetValue(name, out var kind), $"{name} (infra/main.parameters.json) is not in azure.yaml's pipeline variables or secrets.");
            Assert.True(env.TryGetProperty(name, out var value), $"deploy.yml does not pass {name} to azd.");
            Assert.Equal($"${{{{ {kind}.{name} }}}}", value.GetString());
        });
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Each step of a job as one line of text: its name, `uses` and `run`.</summary>
    private static List<string> Steps(JsonElement workflow, string job) =>
        [.. workflow.GetProperty("jobs").GetProperty(job).GetProperty("steps").EnumerateArray().Select(step => string.Join(' ',
            new[] { "name", "uses", "run" }.Select(key => step.TryGetProperty(key, out var value) ? value.GetString() : null).OfType<string>()))];

    [GeneratedRegex(@"UseServiceBusStandIn\s*[:=]", RegexOptions.IgnoreCase)]
    private static partial Regex SetsStandInSwitch();

    [GeneratedRegex(@"\$\{([A-Z0-9_]+)(?:=[^}]*)?\}")]
    private static partial Regex ParameterVariable();
}
