using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ServerlessBackend.Tests.Support;

/// <summary>
/// An SMTP server on 127.0.0.1 that answers each command with a configured reply, as a real relay would, for the
/// answers MailDev cannot be made to give (550 5.7.1 Relaying denied, 530 5.7.0 Authentication required, a 4xx). By
/// default it answers like an accepting relay that announces ENHANCEDSTATUSCODES (RFC 2034) and prefixes its replies
/// with enhanced codes; <c>replies</c> overrides the reply to a command by its verb (<c>CONNECT</c> for the greeting,
/// <c>.</c> for the end of the message). Like Postfix, it answers DATA with 554 5.5.1 when no recipient was accepted
/// and reads the message up to its terminating dot. It does not offer STARTTLS or AUTH (so the app's authenticated path
/// cannot be driven here), pipelining or size limits; real relay behaviour otherwise stays MailDev's.
/// </summary>
public sealed class ScriptedSmtpServer : IDisposable
{
    private static readonly Dictionary<string, string> Defaults = new(StringComparer.Ordinal)
    {
        ["CONNECT"] = "220 scripted.test ESMTP",
        ["EHLO"] = "250-scripted.test\n250-ENHANCEDSTATUSCODES\n250 8BITMIME",
        ["HELO"] = "250 scripted.test",
        ["MAIL"] = "250 2.1.0 Ok",
        ["RCPT"] = "250 2.1.5 Ok",
        ["DATA"] = "354 End data with <CR><LF>.<CR><LF>",
        ["."] = "250 2.0.0 Ok: queued",
        ["RSET"] = "250 2.0.0 Ok",
        ["NOOP"] = "250 2.0.0 Ok",
        ["QUIT"] = "221 2.0.0 Bye",
    };

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, string> _replies;
    private readonly ConcurrentQueue<string> _commands = new();

    public ScriptedSmtpServer(IReadOnlyDictionary<string, string>? replies = null)
    {
        _replies = new Dictionary<string, string>(Defaults, StringComparer.Ordinal);
        foreach (var (verb, reply) in replies ?? new Dictionary<string, string>())
        {
            _replies[verb] = reply;
        }

        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary>The verbs received, in order, over all connections (e.g. to show that no DATA followed a refusal).</summary>
    public IReadOnlyList<string> Commands => [.. _commands];

    /// <summary>Messages accepted (the end-of-data reply was a 2xx).</summary>
    public int Accepted { get; private set; }

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
                catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
                {
                    // The client hung up, or the server is stopping.
                }
            }
        }
    }

    private async Task ConverseAsync(NetworkStream stream)
    {
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await ReplyAsync(writer, "CONNECT");
        var recipients = 0;
        while (await reader.ReadLineAsync(_stop.Token) is { } line)
        {
            var verb = line.Split(' ', 2)[0].ToUpperInvariant();
            _commands.Enqueue(verb);
            switch (verb)
            {
                case "MAIL" or "RSET":
                    recipients = 0;
                    await ReplyAsync(writer, verb);
                    break;
                case "RCPT":
                    recipients += await ReplyAsync(writer, verb) ? 1 : 0;
                    break;
                case "DATA" when recipients == 0:
                    await writer.WriteLineAsync("554 5.5.1 Error: no valid recipients");
                    break;
                case "DATA":
                    if (await ReplyAsync(writer, verb))
                    {
                        while (await reader.ReadLineAsync(_stop.Token) is { } data && data != ".")
                        {
                            // The message itself is not kept.
                        }

                        _commands.Enqueue(".");
                        Accepted += await ReplyAsync(writer, ".") ? 1 : 0;
                    }

                    break;
                case "QUIT":
                    await ReplyAsync(writer, verb);
                    return;
                case var known when _replies.ContainsKey(known):
                    await ReplyAsync(writer, verb);
                    break;
                default:
                    await writer.WriteLineAsync("502 5.5.1 Error: command not recognized");
                    break;
            }
        }
    }

    /// <summary>Writes the configured reply to <paramref name="verb"/>; true when it is positive (2xx or 3xx).</summary>
    private async Task<bool> ReplyAsync(StreamWriter writer, string verb)
    {
        var reply = _replies[verb];
        foreach (var line in reply.Split('\n'))
        {
            await writer.WriteLineAsync(line);
        }

        return reply[0] is '2' or '3';
    }
}
