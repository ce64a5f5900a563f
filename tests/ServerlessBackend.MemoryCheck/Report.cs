using System.Globalization;

namespace ServerlessBackend.MemoryCheck;

/// <summary>The tool's output: a line per measurement, then each figure's median and range per app and the ratio of medians.</summary>
internal static class Report
{
    public static string Line(int run, Measurement m)
    {
        var idle = m.Idle;
        var line = FormattableString.Invariant(
            $"run {run} {m.App,-17} ready {m.Ready.TotalSeconds:0.0} s, {m.Functions} functions | idle: RSS {idle.RssMiB:0.0} MiB (anon {idle.AnonMiB:0.0}, shmem {idle.ShmemMiB:0.0}, file {idle.FileMiB:0.0}), PSS {idle.PssMiB:0.0}, {idle.Threads} threads, {idle.Assemblies.Count} assemblies mapped | first GET {m.First.Path}: {m.First.Status} ({m.First.Invocation}) in {m.First.Elapsed.TotalMilliseconds:0} ms | after it: RSS {m.AfterFirst.RssMiB:0.0} MiB");
        if (m.Runtime is { } r)
        {
            line += FormattableString.Invariant($", GC heap {r.GcHeapMiB:0.0} MiB, {r.Assemblies} assemblies loaded");
        }

        return line + string.Concat(m.Errors.Select(e => $"{Environment.NewLine}    worker error: {e}"));
    }

    public static void Summary(IReadOnlyList<Measurement> measurements, string baseline, string app, Options options)
    {
        var figures = new (string Name, Func<Measurement, double?> Value, string Format)[]
        {
            ("RSS idle (MiB)", m => m.Idle.RssMiB, "0.0"),
            ("  anon (MiB)", m => m.Idle.AnonMiB, "0.0"),
            ("  shmem (MiB)", m => m.Idle.ShmemMiB, "0.0"),
            ("  file (MiB)", m => m.Idle.FileMiB, "0.0"),
            ("PSS idle (MiB)", m => m.Idle.PssMiB, "0.0"),
            ("assemblies mapped", m => m.Idle.Assemblies.Count, "0"),
            ("threads", m => m.Idle.Threads, "0"),
            ("ready (s)", m => m.Ready.TotalSeconds, "0.00"),
            ("first request (ms)", m => m.First.Elapsed.TotalMilliseconds, "0"),
            ("RSS after it (MiB)", m => m.AfterFirst.RssMiB, "0.0"),
            ("GC heap after (MiB)", m => m.Runtime?.GcHeapMiB, "0.0"),
            ("assemblies loaded", m => m.Runtime?.Assemblies, "0"),
        };
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{measurements.Count / 2} runs each, median [min-max]; {options.Settle.TotalSeconds:0} s idle before each sample"));
        Console.WriteLine($"{"",-22}{baseline,-24}{app,-24}ratio");
        foreach (var (name, value, format) in figures)
        {
            var a = Stats(measurements.Where(m => m.App == baseline).Select(value));
            var b = Stats(measurements.Where(m => m.App == app).Select(value));
            if (a is null || b is null)
            {
                continue;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-22}{Describe(a.Value, format),-24}{Describe(b.Value, format),-24}{b.Value.Median / a.Value.Median:0.00}"));
        }

        var rssBaseline = Stats(measurements.Where(m => m.App == baseline).Select(m => (double?)m.Idle.RssMiB))!.Value.Median;
        var rssApp = Stats(measurements.Where(m => m.App == app).Select(m => (double?)m.Idle.RssMiB))!.Value.Median;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"worker memory at start: {app} / {baseline} = {rssApp / rssBaseline:0.00} (RSS {rssApp:0.0} / {rssBaseline:0.0} MiB, median of {measurements.Count / 2} runs)"));

        if (options.ListAssemblies)
        {
            var mine = measurements.Where(m => m.App == app).SelectMany(m => m.Idle.Assemblies).ToHashSet(StringComparer.Ordinal);
            var theirs = measurements.Where(m => m.App == baseline).SelectMany(m => m.Idle.Assemblies).ToHashSet(StringComparer.Ordinal);
            Console.WriteLine();
            Console.WriteLine($"mapped by {app} at idle and not by {baseline}:");
            foreach (var name in mine.Except(theirs).Order(StringComparer.Ordinal))
            {
                Console.WriteLine($"  {name}");
            }
        }
    }

    private static string Describe((double Median, double Min, double Max) s, string format) =>
        string.Create(CultureInfo.InvariantCulture, $"{s.Median.ToString(format, CultureInfo.InvariantCulture)} [{s.Min.ToString(format, CultureInfo.InvariantCulture)}-{s.Max.ToString(format, CultureInfo.InvariantCulture)}]");

    private static (double Median, double Min, double Max)? Stats(IEnumerable<double?> values)
    {
        var sorted = values.OfType<double>().Order().ToList();
        if (sorted.Count == 0)
        {
            return null;
        }

        var middle = sorted.Count / 2;
        var median = sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return (median, sorted[0], sorted[^1]);
    }
}
