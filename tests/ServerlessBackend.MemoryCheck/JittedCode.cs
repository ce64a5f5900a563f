using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace ServerlessBackend.MemoryCheck;

/// <summary>
/// Which code a process has compiled so far, by namespace (the runtime's method rundown over EventPipe, as dotnet-trace
/// reads it): where the JIT's part of the memory went, and so which start-up paths ran.
/// </summary>
internal static class JittedCode
{
    public static IReadOnlyList<(string Namespace, int Methods, long Bytes)> Read(int pid, int depth)
    {
        var methods = new List<(string Namespace, long Bytes)>();
        var client = new DiagnosticsClient(pid);
        var provider = new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, 0);
        using (var session = client.StartEventPipeSession([provider], requestRundown: true, circularBufferMB: 64))
        {
            using var source = new EventPipeEventSource(session.EventStream);
            var rundown = new ClrRundownTraceEventParser(source);
            rundown.MethodDCStopVerbose += (MethodLoadUnloadVerboseTraceData e) =>
            {
                var parts = e.MethodNamespace.Split('.');
                methods.Add((string.Join('.', parts.Take(depth)), e.MethodSize));
            };
            var reading = Task.Run(source.Process);
            Thread.Sleep(500);
            session.Stop();
            reading.Wait(TimeSpan.FromSeconds(30));
        }

        return [.. methods.GroupBy(m => m.Namespace, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Count(), g.Sum(m => m.Bytes)))
            .OrderByDescending(g => g.Item3)];
    }
}
