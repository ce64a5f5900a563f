using System.Diagnostics;
using ServerlessBackend.MemoryCheck.Rpc;

namespace ServerlessBackend.MemoryCheck;

/// <summary>One app under one fresh stand-in host: started and loaded, left idle, sampled, asked its first request, sampled again.</summary>
internal sealed record Measurement(string App, TimeSpan Ready, int Functions, MemorySample Idle, HttpAnswer First, MemorySample AfterFirst, RuntimeSample? Runtime, IReadOnlyList<string> Errors)
{
    public static async Task<Measurement> RunAsync(AppUnderTest app, Options options)
    {
        await using var host = await HostStandIn.StartAsync();
        using var worker = WorkerProcess.Start(app.Directory, host.Uri, HostEnvironment.For(options));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var clock = Stopwatch.StartNew();
        LoadedWorker loaded;
        try
        {
            loaded = await HostProtocol.StartAsync(host.Channel, app.Directory, timeout.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
            throw new InvalidOperationException($"{app.Name} did not start under the stand-in host: {e.Message}{Environment.NewLine}{Logs(host.Channel, RpcLog.Types.Level.Warning)}{worker.Tail()}", e);
        }

        var ready = clock.Elapsed;
        await Task.Delay(options.Settle);
        var idle = MemorySample.Read(worker.Id);
        if (options.CodeDepth > 0)
        {
            foreach (var (ns, methods, bytes) in JittedCode.Read(worker.Id, options.CodeDepth).Take(25))
            {
                Console.WriteLine(FormattableString.Invariant($"  {app.Name} compiled: {ns,-60} {methods,6} methods {bytes / 1024.0,8:0.0} KiB"));
            }
        }


        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        var first = await HostProtocol.InvokeHttpAsync(host.Channel, loaded, http, app.FirstRequest, timeout.Token);
        await Task.Delay(options.Settle);
        var afterFirst = MemorySample.Read(worker.Id);
        var runtime = RuntimeSample.Read(worker.Id, TimeSpan.FromSeconds(10));
        var errors = host.Channel.Logs.Where(l => l.Level >= RpcLog.Types.Level.Error).Select(Describe).ToList();
        return new Measurement(app.Name, ready, loaded.Functions.Count, idle, first, afterFirst, runtime, errors);
    }

    private static string Logs(WorkerChannel channel, RpcLog.Types.Level atLeast) =>
        string.Concat(channel.Logs.Where(l => l.Level >= atLeast).Select(l => Describe(l) + Environment.NewLine));

    private static string Describe(RpcLog log) => $"[{log.Level}] {log.Category}: {log.Message} {log.Exception?.Message}".TrimEnd();
}

/// <summary>A published app and the first request the stand-in sends it.</summary>
internal sealed record AppUnderTest(string Name, string Directory, string FirstRequest);
