using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessBackend.MemoryCheck.Rpc;

namespace ServerlessBackend.MemoryCheck;

/// <summary>
/// The gRPC server a Functions host opens for its workers (HTTP/2 without TLS on the loopback address), serving
/// FunctionRpc.EventStream for one worker. The protocol's steps live in <see cref="HostProtocol"/>.
/// </summary>
internal sealed class HostStandIn : IAsyncDisposable
{
    private readonly WebApplication _server;

    private HostStandIn(WebApplication server, WorkerChannel channel, Uri uri)
    {
        _server = server;
        Channel = channel;
        Uri = uri;
    }

    public WorkerChannel Channel { get; }

    /// <summary>The address the worker is told to connect to (the host's --functions-uri).</summary>
    public Uri Uri { get; }

    public static async Task<HostStandIn> StartAsync()
    {
        var channel = new WorkerChannel();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(options =>
        {
            // The host's limit for both directions (RpcWorkerConstants.DefaultMaxMessageLengthBytes is int.MaxValue).
            options.MaxReceiveMessageSize = int.MaxValue;
            options.MaxSendMessageSize = int.MaxValue;
        });
        builder.Services.AddSingleton(channel);
        var server = builder.Build();
        server.MapGrpcService<EventStreamService>();
        await server.StartAsync();
        return new HostStandIn(server, channel, new Uri(server.Urls.Single()));
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _server.StopAsync(timeout.Token);
        await _server.DisposeAsync();
    }

    private sealed class EventStreamService(WorkerChannel channel) : FunctionRpc.FunctionRpcBase
    {
        public override Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context) =>
            channel.RunAsync(requestStream, responseStream, context.CancellationToken);
    }
}
