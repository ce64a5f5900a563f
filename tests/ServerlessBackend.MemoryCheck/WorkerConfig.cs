using System.Text.Json;

namespace ServerlessBackend.MemoryCheck;

/// <summary>The worker.config.json the Worker SDK writes into the app's output, which tells the host what to start.</summary>
internal static class WorkerConfig
{
    public static string DefaultWorkerPath(string appDirectory)
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(appDirectory, "worker.config.json")));
        var description = json.RootElement.GetProperty("description");
        var executable = description.GetProperty("defaultExecutablePath").GetString();
        if (executable != "dotnet")
        {
            throw new InvalidOperationException($"worker.config.json names {executable} as the executable; this stand-in starts dotnet-isolated workers through dotnet.");
        }

        return description.GetProperty("defaultWorkerPath").GetString()
            ?? throw new InvalidOperationException("worker.config.json has no defaultWorkerPath.");
    }
}
