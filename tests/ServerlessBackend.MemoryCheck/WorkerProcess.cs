using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace ServerlessBackend.MemoryCheck;

/// <summary>
/// A worker started the way the host starts a dotnet-isolated worker (DefaultWorkerProcessFactory with the app's
/// worker.config.json): <c>dotnet "&lt;app&gt;.dll"</c> in the app's folder, the host's connection arguments in both
/// their old and their functions- forms, the host's environment plus FUNCTIONS_WORKER_DIRECTORY and
/// FUNCTIONS_APPLICATION_DIRECTORY, output captured.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private WorkerProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public static WorkerProcess Start(string appDirectory, Uri hostUri, IReadOnlyDictionary<string, string> environment)
    {
        var workerPath = Path.Combine(appDirectory, WorkerConfig.DefaultWorkerPath(appDirectory));
        var workerId = Guid.NewGuid().ToString();
        var requestId = Guid.NewGuid().ToString();
        var maxMessageLength = int.MaxValue.ToString(CultureInfo.InvariantCulture);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = appDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            workerPath,
            "--host", hostUri.Host, "--port", hostUri.Port.ToString(CultureInfo.InvariantCulture),
            "--workerId", workerId, "--requestId", requestId, "--grpcMaxMessageLength", maxMessageLength,
            "--functions-uri", hostUri.AbsoluteUri, "--functions-worker-id", workerId,
            "--functions-request-id", requestId, "--functions-grpc-max-message-length", maxMessageLength,
        })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.Environment["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory;
        start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory;

        var process = new Process { StartInfo = start };
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) => worker.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>The last lines the worker wrote, for a failure message.</summary>
    public string Tail() => string.Join(Environment.NewLine, _output);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 40)
        {
            _output.TryDequeue(out _);
        }
    }
}
