using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace ServerlessBackend.MemoryCheck;

/// <summary>
/// The runtime's own view of a .NET process, read from outside through its diagnostics port (EventPipe, the System.Runtime
/// event counters dotnet-counters shows): GC heap size (what is allocated and not yet collected: GC.GetTotalMemory without a collection) and loaded assemblies. Nothing in the app changes;
/// the session itself costs the target some memory, so it is read after the /proc samples.
/// </summary>
internal sealed record RuntimeSample(double GcHeapMiB, int Assemblies)
{
    private static readonly string[] Wanted = ["gc-heap-size", "assembly-count"];

    public static RuntimeSample? Read(int pid, TimeSpan timeout)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        var client = new DiagnosticsClient(pid);
        var provider = new EventPipeProvider("System.Runtime", EventLevel.Informational, 0, new Dictionary<string, string> { ["EventCounterIntervalSec"] = "1" });
        using var session = client.StartEventPipeSession([provider], requestRundown: false, circularBufferMB: 16);
        using var source = new EventPipeEventSource(session.EventStream);
        using var done = new ManualResetEventSlim();
        source.Dynamic.All += e =>
        {
            if (e.EventName != "EventCounters" || e.PayloadValue(0) is not IDictionary<string, object> outer
                || outer["Payload"] is not IDictionary<string, object> payload || payload["Name"] is not string name || !Wanted.Contains(name))
            {
                return;
            }

            lock (values)
            {
                values[name] = Convert.ToDouble(payload["Mean"], System.Globalization.CultureInfo.InvariantCulture);
                if (values.Count == Wanted.Length)
                {
                    done.Set();
                }
            }
        };
        var reading = Task.Run(source.Process);
        done.Wait(timeout);
        session.Stop();
        reading.Wait(timeout);
        lock (values)
        {
            return values.Count == Wanted.Length
                ? new RuntimeSample(MiB(values["gc-heap-size"]), (int)values["assembly-count"])
                : null;
        }
    }

    // The counters report megabytes (10^6 bytes).
    private static double MiB(double megabytes) => megabytes * 1_000_000 / (1024 * 1024);
}
