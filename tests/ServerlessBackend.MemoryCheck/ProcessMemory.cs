using System.Globalization;

namespace ServerlessBackend.MemoryCheck;

/// <summary>
/// A process's memory as Linux accounts it, read from /proc without touching the process: resident set (VmRSS, what a
/// plan's memory meter counts) and its three parts: anonymous (GC heap, native heaps, stacks), shared memory (where the
/// runtime keeps JIT-compiled code and other executable memory, mapped twice for W^X) and file-backed (mapped assemblies
/// and native libraries, shareable with other processes); proportional set size; threads; the assemblies it has mapped.
/// </summary>
internal sealed record MemorySample(double RssMiB, double AnonMiB, double ShmemMiB, double FileMiB, double PssMiB, int Threads, IReadOnlyList<string> Assemblies)
{
    public static MemorySample Read(int pid)
    {
        var status = Fields($"/proc/{pid}/status");
        var rollup = Fields($"/proc/{pid}/smaps_rollup");
        var assemblies = File.ReadLines($"/proc/{pid}/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(parts => parts.Length >= 6 && parts[5].EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(parts => Path.GetFileName(parts[5]))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        return new MemorySample(
            MiB(status["VmRSS"]), MiB(status["RssAnon"]), MiB(status["RssShmem"]), MiB(status["RssFile"]), MiB(rollup["Pss"]),
            int.Parse(status["Threads"], CultureInfo.InvariantCulture), assemblies);
    }

    private static double MiB(string kilobytes) => long.Parse(kilobytes.Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;

    private static Dictionary<string, string> Fields(string path) =>
        File.ReadLines(path)
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2)
            .GroupBy(parts => parts[0].Trim(), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First()[1].Trim(), StringComparer.Ordinal);
}
