using System.Text.Json;
using System.Text.Json.Nodes;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Foundation;

/// <summary>
/// tests/ServerlessBackend.IntegrationTests/Emulators/compose.yaml, which run-local.sh and CI's emulator jobs start: valid against
/// the Compose specification (dclint, pinned in tests/tools, with the schema inside the package: offline), and in
/// line with the app: the ports the sample settings name, on loopback only, and the Service Bus topology AppModelTests keeps.
/// </summary>
public sealed class ComposeFileTests : IDisposable
{
    private static readonly string ComposeFile = RepoPaths.InRoot("tests", "ServerlessBackend.IntegrationTests", "Emulators", "compose.yaml");
    private readonly string _dir = Directory.CreateTempSubdirectory("compose-").FullName;

    [Fact]
    public async Task Dclint_finds_no_error_and_no_warning()
    {
        var (exitCode, output, errors) = await Lint(ComposeFile);

        Assert.True(exitCode == 0, output + errors);
    }

    [Fact]
    public async Task Dclint_fails_a_file_the_compose_specification_does_not_allow()
    {
        var broken = Path.Combine(_dir, "compose.yaml");
        File.WriteAllText(broken, File.ReadAllText(ComposeFile).Replace("    environment:", "    environmen:", StringComparison.Ordinal));

        var (exitCode, output, _) = await Lint(broken);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("invalid-schema", output, StringComparison.Ordinal);
    }

    [Fact]
    public void It_publishes_the_sample_settings_ports_on_loopback_only()
    {
        var services = NodeTools.ReadYaml(ComposeFile).GetProperty("services");
        var sample = JsonNode.Parse(File.ReadAllText(RepoPaths.InRoot("local.settings.sample.json")))!["Values"]!;
        var cosmos = new Uri(sample["Cosmos__AccountEndpoint"]!.GetValue<string>());

        Assert.Equal("UseDevelopmentStorage=true", sample["AzureWebJobsStorage"]!.GetValue<string>()); // Azurite's 10000-10002
        Assert.Equal([$"127.0.0.1:${{COSMOS_PORT:-{cosmos.Port}}}:8081"], Ports(services, "cosmos"));
        Assert.Equal(["127.0.0.1:${BLOB_PORT:-10000}:10000", "127.0.0.1:${QUEUE_PORT:-10001}:10001", "127.0.0.1:${TABLE_PORT:-10002}:10002"], Ports(services, "azurite"));
        Assert.Contains("127.0.0.1:${SERVICEBUS_PORT:-5672}:5672", Ports(services, "servicebus"));
        Assert.All(services.EnumerateObject().SelectMany(s => Ports(services, s.Name)), port => Assert.StartsWith("127.0.0.1:", port, StringComparison.Ordinal));
    }

    [Fact]
    public void The_service_bus_emulator_gets_the_app_topology_and_the_sql_server_it_needs()
    {
        var services = NodeTools.ReadYaml(ComposeFile).GetProperty("services");
        var serviceBus = services.GetProperty("servicebus");
        var environment = serviceBus.GetProperty("environment");

        // servicebus-emulator-config.json is the file AppModelTests keeps equal to MessagingTopology.
        Assert.Equal(["./servicebus-emulator-config.json:/ServiceBus_Emulator/ConfigFiles/Config.json:ro"], serviceBus.GetProperty("volumes").EnumerateArray().Select(v => v.GetString()));
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(ComposeFile)!, "servicebus-emulator-config.json")));
        Assert.Equal("sql", environment.GetProperty("SQL_SERVER").GetString());
        Assert.Equal(["sql"], serviceBus.GetProperty("depends_on").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(environment.GetProperty("MSSQL_SA_PASSWORD").GetString(), services.GetProperty("sql").GetProperty("environment").GetProperty("MSSQL_SA_PASSWORD").GetString());
        Assert.StartsWith("${SQL_PASSWORD:?", environment.GetProperty("MSSQL_SA_PASSWORD").GetString(), StringComparison.Ordinal);
        Assert.False(services.GetProperty("sql").TryGetProperty("ports", out _), "The SQL Server is the emulator's store: it is never published.");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Task<(int ExitCode, string Output, string Errors)> Lint(string file) =>
        NodeTools.RunAsync("dclint", RepoPaths.Root, file, "--config", Path.Combine(RepoPaths.TestTools, "dclint.json"), "--max-warnings", "0", "--color", "false");

    private static List<string> Ports(JsonElement services, string service) =>
        services.GetProperty(service).TryGetProperty("ports", out var ports) ? [.. ports.EnumerateArray().Select(p => p.GetString()!)] : [];
}
