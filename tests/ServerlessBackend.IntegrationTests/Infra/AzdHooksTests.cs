using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.IntegrationTests.Infra;

/// <summary>
/// infra/hooks/*.sh, run as azd runs them (the azd environment's values in the process environment) with stand-in
/// <c>az</c> and <c>azd</c> commands on PATH (tests/tools/azure-cli-standin.js: Graph-shaped objects, JMESPath queries,
/// az's output formats and errors) that record every call: what a first <c>azd up</c> creates, and that a second creates
/// nothing twice. Each test runs the bash hook (macOS, Linux) and the PowerShell one (Windows) alike.
/// </summary>
public sealed class AzdHooksTests : IDisposable
{
    private const string UserId = "9a3c2b1d-7e6f-4a5b-8c9d-0e1f2a3b4c5d";

    private readonly string _dir = Directory.CreateTempSubdirectory("azd-hooks-").FullName;
    private readonly string _state;

    public AzdHooksTests()
    {
        _state = Path.Combine(_dir, "state.json");
        File.WriteAllText(_state, JsonSerializer.Serialize(new { user = new { id = UserId, userPrincipalName = "ops@contoso.example" }, tenantId = "t-1", azdEnv = new Dictionary<string, string> { ["AZURE_ENV_NAME"] = "dev" } }));
        var bin = Directory.CreateDirectory(Path.Combine(_dir, "bin")).FullName;
        foreach (var tool in new[] { "az", "azd" })
        {
            var file = Path.Combine(bin, tool);
            File.WriteAllText(file, $"#!/usr/bin/env bash\nexec node \"{Path.Combine(RepoPaths.TestTools, "azure-cli-standin.js")}\" {tool} \"$@\"\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
    }

    private JsonNode State => JsonNode.Parse(File.ReadAllText(_state))!;

    private JsonArray Applications => State["applications"]!.AsArray();

    [Theory]
    [InlineData("sh")]
    [InlineData("ps1")]
    public async Task A_first_preprovision_creates_the_api_registration_its_roles_scope_and_claims_the_smtp_app_and_the_environment_values(string shell)
    {
        var run = await RunAsync(shell, "preprovision");

        Assert.True(run.ExitCode == 0, run.Errors);
        var api = Assert.Single(Applications, a => a!["displayName"]!.GetValue<string>() == "serverless-backend-api-dev")!;
        var clientId = api["appId"]!.GetValue<string>();
        Assert.Equal("AzureADMultipleOrgs", api["signInAudience"]!.GetValue<string>());
        Assert.Equal([$"api://{clientId}"], api["identifierUris"]!.AsArray().Select(u => u!.GetValue<string>()));
        Assert.Equal(2, api["api"]!["requestedAccessTokenVersion"]!.GetValue<int>());
        Assert.Equal(["admin", "operator"], api["appRoles"]!.AsArray().Select(r => r!["value"]!.GetValue<string>()));
        Assert.All(api["appRoles"]!.AsArray(), r => Assert.Equal(["User", "Application"], r!["allowedMemberTypes"]!.AsArray().Select(m => m!.GetValue<string>())));
        var scope = Assert.Single(api["api"]!["oauth2PermissionScopes"]!.AsArray())!;
        Assert.Equal("access_as_user", scope["value"]!.GetValue<string>());
        var azureCli = Assert.Single(api["api"]!["preAuthorizedApplications"]!.AsArray())!;
        Assert.Equal("04b07795-8ddb-461a-bbee-02f9e1bf7b46", azureCli["appId"]!.GetValue<string>());
        Assert.Equal([scope["id"]!.GetValue<string>()], azureCli["delegatedPermissionIds"]!.AsArray().Select(i => i!.GetValue<string>()));
        Assert.Equal(["email", "idtyp"], api["optionalClaims"]!["accessToken"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));

        var smtp = Assert.Single(Applications, a => a!["displayName"]!.GetValue<string>() == "serverless-backend-smtp-dev")!;
        Assert.Equal(2, State["servicePrincipals"]!.AsArray().Count);
        var operatorRole = api["appRoles"]!.AsArray().Single(r => r!["value"]!.GetValue<string>() == "operator")!["id"]!.GetValue<string>();
        var assignment = Assert.Single(State["appRoleAssignments"]!.AsArray())!;
        Assert.Equal((UserId, operatorRole), (assignment["principalId"]!.GetValue<string>(), assignment["appRoleId"]!.GetValue<string>()));

        var env = State["azdEnv"]!;
        Assert.Equal(clientId, env["AUTH_CLIENT_ID"]!.GetValue<string>());
        Assert.Equal("directory", env["AUTH_TENANCY"]!.GetValue<string>());
        Assert.Equal("User", env["AZURE_PRINCIPAL_TYPE"]!.GetValue<string>());
        Assert.Equal(smtp["appId"]!.GetValue<string>(), env["EMAIL_SMTP_ENTRA_APPLICATION_ID"]!.GetValue<string>());
        Assert.Equal(
            State["servicePrincipals"]!.AsArray().Single(s => s!["appId"]!.GetValue<string>() == smtp["appId"]!.GetValue<string>())!["id"]!.GetValue<string>(),
            env["EMAIL_SMTP_SERVICE_PRINCIPAL_ID"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("sh")]
    [InlineData("ps1")]
    public async Task A_second_preprovision_creates_nothing_and_keeps_every_id(string shell)
    {
        Assert.Equal(0, (await RunAsync(shell, "preprovision")).ExitCode);
        var before = State.ToJsonString();
        File.WriteAllText(Path.Combine(_dir, "calls.jsonl"), "");

        var again = await RunAsync(shell, "preprovision");

        Assert.True(again.ExitCode == 0, again.Errors);
        Assert.DoesNotContain(Calls(), c => c.Contains("create") || (c.Contains("rest") && c.Contains("POST")));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(before), State), "The second run changed the directory or the environment.");
    }

    [Theory]
    [InlineData("sh")]
    [InlineData("ps1")]
    public async Task The_claim_tenancy_model_registers_a_single_directory_app_and_a_rerun_keeps_the_shop_roles_an_operator_added(string shell)
    {
        SetEnv("AUTH_TENANCY", "claim");
        Assert.Equal(0, (await RunAsync(shell, "preprovision")).ExitCode);
        var api = Applications.Single(a => a!["displayName"]!.GetValue<string>() == "serverless-backend-api-dev")!;
        Assert.Equal("AzureADMyOrg", api["signInAudience"]!.GetValue<string>());
        var state = State;
        var roles = state["applications"]!.AsArray().Single(a => a!["appId"]!.GetValue<string>() == api["appId"]!.GetValue<string>())!["appRoles"]!.AsArray();
        roles.Add(JsonNode.Parse("""{"id":"11111111-2222-4333-8444-555555555555","value":"shop:contoso","displayName":"Contoso","isEnabled":true,"description":"x","allowedMemberTypes":["User"]}"""));
        File.WriteAllText(_state, state.ToJsonString());

        var again = await RunAsync(shell, "preprovision");

        Assert.True(again.ExitCode == 0, again.Errors);
        Assert.Equal(["admin", "operator", "shop:contoso"], Applications.Single(a => a!["appId"]!.GetValue<string>() == api["appId"]!.GetValue<string>())!["appRoles"]!.AsArray().Select(r => r!["value"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("sh")]
    [InlineData("ps1")]
    public async Task Run_by_a_service_principal_preprovision_changes_nothing_in_the_directory_and_needs_the_first_runs_values(string shell)
    {
        var state = State;
        state["user"] = null;
        File.WriteAllText(_state, state.ToJsonString());

        var missing = await RunAsync(shell, "preprovision");
        SetEnv("AUTH_CLIENT_ID", "6e4a7a43-1f38-4d35-9a39-2d1a2b0e5a11");
        var given = await RunAsync(shell, "preprovision");

        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("AUTH_CLIENT_ID", missing.Errors, StringComparison.Ordinal);
        Assert.Equal(0, given.ExitCode);
        Assert.Empty(Applications);
        Assert.Equal("ServicePrincipal", State["azdEnv"]!["AZURE_PRINCIPAL_TYPE"]!.GetValue<string>());
        Assert.DoesNotContain(Calls(), c => c.Contains("rest") || c.Contains("create"));
    }

    [Theory]
    [InlineData("sh")]
    [InlineData("ps1")]
    public async Task Postprovision_stores_the_smtp_password_and_the_stripe_keys_it_asks_for_without_any_on_a_command_line_then_restarts_the_app_once(string shell)
    {
        Assert.Equal(0, (await RunAsync(shell, "preprovision")).ExitCode);
        SetProvisionOutputs();

        var run = await RunAsync(shell, "postprovision", stdin: "sk_test_51Operator\nwhsec_operator\n");

        Assert.True(run.ExitCode == 0, run.Errors);
        var vault = State["vaults"]!["kv-dev"]!;
        Assert.Equal("sk_test_51Operator", vault["stripe-secret-key"]!.GetValue<string>());
        Assert.Equal("whsec_operator", vault["stripe-webhook-secret"]!.GetValue<string>());
        var password = Assert.Single(State["issuedPasswords"]!.AsArray())!.GetValue<string>();
        Assert.Equal(password, vault["email-smtp-password"]!.GetValue<string>());
        Assert.Contains("https://func-dev.azurewebsites.net/api/v1/payments/stripe/webhook", run.Errors, StringComparison.Ordinal);
        Assert.Equal(["func-dev"], State["restarts"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.DoesNotContain(Calls(), c => c.Contains("sk_test_51Operator", StringComparison.Ordinal) || c.Contains("whsec_operator", StringComparison.Ordinal) || c.Contains(password, StringComparison.Ordinal));
        // Nor in the azd environment (a file on the operator's disk).
        Assert.DoesNotContain(State["azdEnv"]!.AsObject(), e => e.Value!.GetValue<string>() is "sk_test_51Operator" or "whsec_operator" || e.Value!.GetValue<string>() == password);
    }

    [Theory]
    [InlineData("sh")]
    [InlineData("ps1")]
    public async Task A_second_postprovision_asks_nothing_makes_no_new_smtp_secret_and_restarts_nothing(string shell)
    {
        Assert.Equal(0, (await RunAsync(shell, "preprovision")).ExitCode);
        SetProvisionOutputs();
        Assert.Equal(0, (await RunAsync(shell, "postprovision", stdin: "sk_test_51Operator\nwhsec_operator\n")).ExitCode);

        var again = await RunAsync(shell, "postprovision");

        Assert.True(again.ExitCode == 0, again.Errors);
        Assert.Single(State["issuedPasswords"]!.AsArray());
        Assert.Single(State["restarts"]!.AsArray());
        Assert.Single(Applications.Single(a => a!["displayName"]!.GetValue<string>() == "serverless-backend-smtp-dev")!["passwordCredentials"]!.AsArray());
    }

    [Theory]
    [InlineData("sh", "local", null, 0)]
    [InlineData("sh", "stripe", null, 1)]
    [InlineData("sh", "stripe", "pk_test_wrong-kind-of-key\n", 1)]
    [InlineData("ps1", "local", null, 0)]
    [InlineData("ps1", "stripe", null, 1)]
    [InlineData("ps1", "stripe", "pk_test_wrong-kind-of-key\n", 1)]
    public async Task Without_the_stripe_keys_postprovision_fails_naming_them_unless_payments_are_local(string shell, string provider, string? stdin, int exitCode)
    {
        Assert.Equal(0, (await RunAsync(shell, "preprovision")).ExitCode);
        SetProvisionOutputs();
        SetEnv("PAYMENTS_PROVIDER", provider);

        var run = await RunAsync(shell, "postprovision", stdin: stdin);

        Assert.True(exitCode == run.ExitCode, run.Errors);
        Assert.False(State["vaults"]!["kv-dev"]!.AsObject().ContainsKey("stripe-secret-key"));
        if (exitCode != 0)
        {
            Assert.Contains("STRIPE_SECRET_KEY", run.Errors, StringComparison.Ordinal);
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void SetProvisionOutputs()
    {
        SetEnv("KEY_VAULT_NAME", "kv-dev");
        SetEnv("AZURE_FUNCTION_APP_NAME", "func-dev");
        SetEnv("AZURE_RESOURCE_GROUP", "rg-dev");
        SetEnv("API_BASE_URL", "https://func-dev.azurewebsites.net/api");
    }

    private void SetEnv(string name, string value)
    {
        var state = State;
        state["azdEnv"]![name] = value;
        File.WriteAllText(_state, state.ToJsonString());
    }

    private List<string> Calls() => [.. File.ReadAllLines(Path.Combine(_dir, "calls.jsonl"))];

    /// <summary>Runs infra/hooks/{hook}.{shell} as azure.yaml has azd run it (bash; pwsh -File); Errors holds both streams' text for the ps1 hooks' messages.</summary>
    private async Task<(int ExitCode, string Output, string Errors)> RunAsync(string shell, string hook, string? stdin = null)
    {
        var script = RepoPaths.InRoot("infra", "hooks", $"{hook}.{shell}");
        var start = new ProcessStartInfo(shell == "sh" ? "bash" : await PowerShellTool.PathAsync())
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = RepoPaths.Root,
        };
        foreach (var argument in shell == "sh" ? [script] : new[] { "-NoProfile", "-File", script })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PATH"] = $"{Path.Combine(_dir, "bin")}{Path.PathSeparator}{Environment.GetEnvironmentVariable("PATH")}";
        start.Environment["AZ_STANDIN_STATE"] = _state;
        // azd runs a hook with the environment's values as environment variables.
        foreach (var (name, value) in State["azdEnv"]!.AsObject())
        {
            start.Environment[name] = value!.GetValue<string>();
        }

        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await output, await output + await errors);
    }
}
