using System.Reflection;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.ContractTests.Targets;

/// <summary>
/// A stand-in for Azure Functions Core Tools, for machines without them (Core Tools downloads the host on install): a
/// script named func, in a folder of its own, that runs the local host (tests/ServerlessBackend.LocalHost) with func's
/// arguments in func's working directory. The local host is not the Functions host: see its project file.
/// </summary>
public sealed class StandInFunc : IDisposable
{
    public StandInFunc(string? before = null)
    {
        Directory.CreateDirectory(Folder);
        File.WriteAllText(Path, $"""
            #!/usr/bin/env bash
            # Stand-in for Azure Functions Core Tools, written by the contract tests.
            {before}
            exec dotnet "{LocalHostAssembly}" "$@"

            """.ReplaceLineEndings("\n"));
        File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Folder { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "standin-func-" + Guid.NewGuid().ToString("N"));

    public string Path => System.IO.Path.Combine(Folder, "func");

    public static string Configuration => typeof(StandInFunc).Assembly.GetCustomAttribute<BuildConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string LocalHostAssembly => RepoPaths.InRoot("tests", "ServerlessBackend.LocalHost", "bin", Configuration, "net10.0", "ServerlessBackend.LocalHost.dll");

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
