using System.Diagnostics;
using System.Reflection;

namespace ServerlessBackend.IntegrationTests.Infra;

/// <summary>
/// The real Bicep compiler from the Azure.Bicep.CommandLine.linux-x64 package (its path is baked into
/// the test assembly at build time). Runs offline: HTTPS_PROXY points at a closed local port so the
/// CLI's background calls never leave the machine.
/// </summary>
public static class BicepCli
{
    private static readonly Lazy<string> Executable = new(FindExecutable, LazyThreadSafetyMode.ExecutionAndPublication);

    public static BicepRun Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable.Value)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["HTTPS_PROXY"] = "http://127.0.0.1:9";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the Bicep CLI.");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish in 3 minutes.");
        }

        return new BicepRun(process.ExitCode, stdout, stderr.Result);
    }

    private static string FindExecutable()
    {
        var path = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "BicepPath")?.Value?.Replace('\\', '/');
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new InvalidOperationException(
                $"The Bicep CLI was not found at '{path}'. It comes from the Azure.Bicep.CommandLine.linux-x64 package referenced by the test project: restore and build the tests.");
        }

        // NuGet does not always keep the execute bit of a packaged native binary.
        if (!OperatingSystem.IsWindows() && !File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute))
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
        }

        return path;
    }
}

/// <summary>One Bicep CLI run. <see cref="Problems"/> are the diagnostic lines that must not exist: any Warning or Error.</summary>
public sealed record BicepRun(int ExitCode, string StandardOutput, string StandardError)
{
    public IReadOnlyList<string> Problems { get; } =
        (StandardOutput + "\n" + StandardError)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.Contains(": Warning ", StringComparison.Ordinal) || line.Contains(": Error ", StringComparison.Ordinal))
            .ToList();

    public override string ToString() => $"exit code {ExitCode}\n{StandardOutput}\n{StandardError}";
}
