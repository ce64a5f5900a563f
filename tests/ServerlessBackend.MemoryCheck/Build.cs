using System.Diagnostics;

namespace ServerlessBackend.MemoryCheck;

/// <summary>Publishing the apps as a deployment does (dotnet publish, Release).</summary>
internal static class Build
{
    public static string RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ServerlessBackend.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Run from inside the repository (ServerlessBackend.sln not found above the current directory).");
    }

    public static string Publish(string project, string output)
    {
        Console.WriteLine($"publishing {project} -> {output}");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var argument in new[] { "publish", project, "-c", "Release", "-o", output, "--nologo", "-v", "q" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var log = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish {project} failed:{Environment.NewLine}{log}");
        }

        return output;
    }
}
