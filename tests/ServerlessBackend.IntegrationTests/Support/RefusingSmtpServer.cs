using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ServerlessBackend.Tests.Support;

/// <summary>
/// A minimal SMTP responder on 127.0.0.1 that answers every RCPT TO with one fixed reply (e.g. a 450) and everything
/// else with success: the replies MailDev cannot be made to give. The real relay behaviour stays MailDev's.
/// </summary>
public sealed class RefusingSmtpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly string _rcptReply;

    public RefusingSmtpServer(string rcptReply)
    {
        _rcptReply = rcptReply;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary>How many DATA commands arrived (a refused recipient must never get this far).</summary>
    public int DataCommands { get; private set; }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            using (client)
            {
                try
                {
                    await ConverseAsync(client.GetStream());
                }
                catch (IOException)
                {
                    // The client hung up.
                }
            }
        }
    }

    private async Task ConverseAsync(NetworkStream stream)
    {
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 refusing.test ESMTP");
        while (await reader.ReadLineAsync(_stop.Token) is { } line)
        {
            var command = line.Split(' ', 2)[0].ToUpperInvariant();
            switch (command)
            {
                case "EHLO" or "HELO":
                    await writer.WriteLineAsync("250 refusing.test");
                    break;
                case "RCPT":
                    await writer.WriteLineAsync(_rcptReply);
                    break;
                case "DATA":
                    DataCommands++;
                    await writer.WriteLineAsync("554 no valid recipients");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 bye");
                    return;
                default:
                    await writer.WriteLineAsync("250 OK");
                    break;
            }
        }
    }
}
