using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using ServerlessBackend.MemoryCheck.Rpc;

namespace ServerlessBackend.MemoryCheck;

/// <summary>
/// The host's end of one worker's EventStream: what the stand-in sends goes out in order, what the worker sends is read
/// in order by the host logic (<see cref="HostProtocol"/>), except the worker's logs, which are kept aside.
/// </summary>
internal sealed class WorkerChannel
{
    private readonly Channel<StreamingMessage> _toWorker = Channel.CreateUnbounded<StreamingMessage>();
    private readonly Channel<StreamingMessage> _fromWorker = Channel.CreateUnbounded<StreamingMessage>();
    private int _connected;

    public ConcurrentQueue<RpcLog> Logs { get; } = new();

    public async Task RunAsync(IAsyncStreamReader<StreamingMessage> fromWorker, IServerStreamWriter<StreamingMessage> toWorker, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _connected, 1) == 1)
        {
            throw new Grpc.Core.RpcException(new Status(StatusCode.AlreadyExists, "This stand-in serves one stream per worker."));
        }

        var writing = WriteAsync(toWorker, cancellationToken);
        try
        {
            await foreach (var message in fromWorker.ReadAllAsync(cancellationToken))
            {
                if (message.ContentCase == StreamingMessage.ContentOneofCase.RpcLog)
                {
                    Logs.Enqueue(message.RpcLog);
                }
                else
                {
                    await _fromWorker.Writer.WriteAsync(message, cancellationToken);
                }
            }
        }
        finally
        {
            _fromWorker.Writer.TryComplete();
            _toWorker.Writer.TryComplete();
        }

        await writing;
    }

    public ValueTask SendAsync(StreamingMessage message) => _toWorker.Writer.WriteAsync(message);

    /// <summary>The worker's next message of <paramref name="expected"/> kind; others (the protocol has unsolicited ones) are skipped.</summary>
    public async Task<StreamingMessage> ReceiveAsync(StreamingMessage.ContentOneofCase expected, CancellationToken cancellationToken)
    {
        while (true)
        {
            StreamingMessage message;
            try
            {
                message = await _fromWorker.Reader.ReadAsync(cancellationToken);
            }
            catch (ChannelClosedException e)
            {
                throw new InvalidOperationException($"The worker closed its stream while the host waited for {expected}.", e);
            }

            if (message.ContentCase == expected)
            {
                return message;
            }
        }
    }

    private async Task WriteAsync(IServerStreamWriter<StreamingMessage> toWorker, CancellationToken cancellationToken)
    {
        await foreach (var message in _toWorker.Reader.ReadAllAsync(cancellationToken))
        {
            await toWorker.WriteAsync(message, cancellationToken);
        }
    }
}
