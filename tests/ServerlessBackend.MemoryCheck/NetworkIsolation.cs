using System.Diagnostics;

namespace ServerlessBackend.MemoryCheck;

/// <summary>
/// Runs the measurement in a network namespace of its own (util-linux unshare, with the loopback interface up), so no
/// worker can reach anything but this process's stand-in host whatever its settings say. Needs the permission to create
/// one (root, as on this project's machines); without it the measurement runs in the machine's namespace.
/// </summary>
internal static class NetworkIsolation
{
    public static bool Available() => OperatingSystem.IsLinux() && Exits0("unshare", "--net", "ip", "link", "set", "lo", "up");

    public static int Run(IEnumerable<string> measurementArguments)
    {
        var start = new ProcessStartInfo("unshare") { UseShellExecute = false };
        foreach (var argument in new[] { "--net", "--", "sh", "-c", "ip link set lo up && exec \"$@\"", "memory-check" })
        {
            start.ArgumentList.Add(argument);
        }

        var self = Environment.ProcessPath!;
        start.ArgumentList.Add(self);
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(NetworkIsolation).Assembly.Location);
        }

        foreach (var argument in measurementArguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.WaitForExit();
        return process.ExitCode;
    }

    private static bool Exits0(string command, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo(command) { UseShellExecute = false, RedirectStandardError = true };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
