using System.Diagnostics;

namespace ServerlessBackend.Tests.Support;

/// <summary>
/// PowerShell for the tests of infra/hooks/*.ps1: the PowerShell .NET tool at a pinned version (7.7.0 does not install
/// here), installed from NuGet into tests/tools/pwsh (gitignored) on first use, like the npm tools in tests/tools.
/// </summary>
public static class PowerShellTool
{
    public const string Version = "7.6.10";

    private static readonly Lazy<Task<string>> Installed = new(InstallAsync);

    public static Task<string> PathAsync() => Installed.Value;

    private static async Task<string> InstallAsync()
    {
        var directory = Path.Combine(RepoPaths.TestTools, "pwsh");
        var pwsh = Path.Combine(directory, "pwsh");
        if (File.Exists(pwsh))
        {
            return pwsh;
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "tool", "install", "--tool-path", directory, "PowerShell", "--version", Version })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        return process.ExitCode == 0 && File.Exists(pwsh)
            ? pwsh
            : throw new InvalidOperationException($"Installing PowerShell {Version} failed: {await output} {await errors}");
    }
}
