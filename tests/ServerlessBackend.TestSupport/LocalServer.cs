using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ServerlessBackend.Tests.Support;

/// <summary>
/// A Node.js server from tests/tools, started on 127.0.0.1 and stopped (with its child processes) on dispose.
/// </summary>
public sealed class LocalServer : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private LocalServer(Process process) => _process = process;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <c>node_modules/.bin/{tool}</c> (or, for a name ending in .js, that script in tests/tools) and waits until every port in <paramref name="ports"/> accepts connections.</summary>
    public static LocalServer Start(string tool, IEnumerable<string> arguments, IReadOnlyCollection<int> ports, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepoPaths.TestTools,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(tool.EndsWith(".js", StringComparison.Ordinal) ? NodeTools.ToolsScript(tool) : NodeTools.BinScript(tool));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {tool}.");
        var server = new LocalServer(process);
        // Whatever its owner does (a fixture whose set-up throws after the start never disposes it), it ends with the tests.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Dispose();
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            server.WaitForPorts(tool, ports, TimeSpan.FromSeconds(60));
        }
        catch
        {
            server.Dispose();
            throw;
        }

        return server;
    }

    /// <summary>A TCP port on 127.0.0.1 that is free right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Whether something accepts TCP connections on 127.0.0.1:<paramref name="port"/> right now.</summary>
    public static bool Accepts(int port)
    {
        using var client = new TcpClient();
        try
        {
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private void WaitForPorts(string tool, IReadOnlyCollection<int> ports, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var pending = new HashSet<int>(ports);
        while (pending.Count > 0)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit(); // drains the redirected output before it goes into the message
                throw new InvalidOperationException($"{tool} exited with code {_process.ExitCode} before it listened:\n{Output}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{tool} did not listen on {string.Join(", ", pending)} within {timeout.TotalSeconds} s:\n{Output}");
            }

            pending.RemoveWhere(Accepts);

            if (pending.Count > 0)
            {
                Thread.Sleep(100);
            }
        }
    }
}
