using System.Diagnostics;
using System.Text.Json;

namespace ServerlessBackend.Tests.Support;

/// <summary>
/// The pinned npm tools in tests/tools (local servers, linters). Installs them with `npm ci`
/// on first use when node_modules is missing, and explains what to install when Node.js is not there.
/// </summary>
public static class NodeTools
{
    private static readonly Lazy<string> Installed = new(EnsureInstalled, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Full path of the JavaScript entry point behind <c>node_modules/.bin/{name}</c>.</summary>
    public static string BinScript(string name)
    {
        var script = Path.Combine(Installed.Value, ".bin", name);
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"'{name}' is not in tests/tools/package.json; add it there and run `npm install --prefix tests/tools`.");
        }

        return script;
    }

    /// <summary>Full path of a script kept in tests/tools itself (a wrapper around an installed tool).</summary>
    public static string ToolsScript(string fileName)
    {
        _ = Installed.Value;
        var script = Path.Combine(RepoPaths.TestTools, fileName);
        return File.Exists(script) ? script : throw new InvalidOperationException($"{script} is missing.");
    }

    /// <summary>Runs <c>node_modules/.bin/{name}</c> with Node.js in <paramref name="workingDirectory"/>: its exit code, standard output and standard error.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string name, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { BinScript(name) }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {name}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await errors);
    }

    /// <summary>A YAML file (a workflow, the compose file) as JSON, parsed by the pinned <c>yaml</c> package.</summary>
    public static JsonElement ReadYaml(string path)
    {
        _ = Installed.Value;
        var json = TryRun("node", $"-e \"process.stdout.write(JSON.stringify(require('yaml').parse(require('fs').readFileSync(process.argv[1], 'utf8'))))\" \"{path}\"", RepoPaths.TestTools)
            ?? throw new InvalidOperationException($"{path} is not valid YAML.");
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    private static string EnsureInstalled()
    {
        var version = TryRun("node", "--version", RepoPaths.TestTools);
        if (version is null)
        {
            throw new InvalidOperationException(
                "Node.js was not found on PATH. The tests start Azurite, an SMTP server and other pinned tools from tests/tools with Node.js 20 or later: install Node.js, then run the tests again.");
        }

        var modules = Path.Combine(RepoPaths.TestTools, "node_modules");
        if (!Directory.Exists(Path.Combine(modules, ".bin")))
        {
            var output = TryRun("npm", "ci --no-audit --no-fund", RepoPaths.TestTools, TimeSpan.FromMinutes(10));
            if (output is null || !Directory.Exists(Path.Combine(modules, ".bin")))
            {
                throw new InvalidOperationException($"`npm ci` in {RepoPaths.TestTools} failed; run it by hand to see why. {output}");
            }
        }

        return modules;
    }

    private static string? TryRun(string fileName, string arguments, string workingDirectory, TimeSpan? timeout = null)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(fileName, arguments)
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return null;
            }

            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(30)))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }

            return process.ExitCode == 0 ? stdout.Result + stderr.Result : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
