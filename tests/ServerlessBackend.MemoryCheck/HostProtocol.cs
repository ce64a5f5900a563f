using System.Diagnostics;
using System.Text.Json;
using ServerlessBackend.MemoryCheck.Rpc;
using Kind = ServerlessBackend.MemoryCheck.Rpc.StreamingMessage.ContentOneofCase;

namespace ServerlessBackend.MemoryCheck;

/// <summary>
/// What the Functions host (v4, GrpcWorkerChannel) says to a worker that indexes its own functions ("workerIndexing"
/// in the app's worker.config.json), in its order: after StartStream a WorkerInitRequest; a FunctionsMetadataRequest;
/// the load requests for every function the worker listed (one collection when the worker advertises
/// SupportsLoadResponseCollection, else one each). Not sent: a FunctionEnvironmentReloadRequest, which the host sends only
/// when it specializes a placeholder worker, and the WorkerStatusRequests it sends on its own timer once running.
/// </summary>
internal static class HostProtocol
{
    /// <summary>The host version the stand-in reports (the v4 host line the app deploys to).</summary>
    public const string HostVersion = "4.1043.0.0";

    public const string RoutePrefix = "api";

    public static async Task<LoadedWorker> StartAsync(WorkerChannel channel, string appDirectory, CancellationToken cancellationToken)
    {
        await channel.ReceiveAsync(Kind.StartStream, cancellationToken);
        await channel.SendAsync(new StreamingMessage
        {
            RequestId = NewId(),
            WorkerInitRequest = new WorkerInitRequest
            {
                HostVersion = HostVersion,
                WorkerDirectory = appDirectory,
                FunctionAppDirectory = appDirectory,
                Capabilities = { ["MultiStream"] = "10" },
            },
        });
        var init = (await channel.ReceiveAsync(Kind.WorkerInitResponse, cancellationToken)).WorkerInitResponse;
        EnsureSuccess(init.Result, "WorkerInitRequest");

        await channel.SendAsync(new StreamingMessage
        {
            RequestId = NewId(),
            FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory },
        });
        var metadata = (await channel.ReceiveAsync(Kind.FunctionMetadataResponse, cancellationToken)).FunctionMetadataResponse;
        EnsureSuccess(metadata.Result, "FunctionsMetadataRequest");
        if (metadata.UseDefaultMetadataIndexing)
        {
            throw new InvalidOperationException("The worker asked the host to index its functions; this stand-in only serves worker indexing.");
        }

        var functions = metadata.FunctionMetadataResults.Select(f => WorkerFunction.From(f, appDirectory)).ToList();
        var loads = functions.Select(f => f.LoadRequest).ToList();
        if (init.Capabilities.ContainsKey("SupportsLoadResponseCollection"))
        {
            var collection = new FunctionLoadRequestCollection();
            collection.FunctionLoadRequests.AddRange(loads);
            await channel.SendAsync(new StreamingMessage { RequestId = NewId(), FunctionLoadRequestCollection = collection });
            var responses = (await channel.ReceiveAsync(Kind.FunctionLoadResponseCollection, cancellationToken)).FunctionLoadResponseCollection;
            foreach (var response in responses.FunctionLoadResponses)
            {
                EnsureSuccess(response.Result, $"FunctionLoadRequest {response.FunctionId}");
            }
        }
        else
        {
            foreach (var load in loads)
            {
                await channel.SendAsync(new StreamingMessage { RequestId = NewId(), FunctionLoadRequest = load });
            }

            foreach (var _ in loads)
            {
                var response = (await channel.ReceiveAsync(Kind.FunctionLoadResponse, cancellationToken)).FunctionLoadResponse;
                EnsureSuccess(response.Result, $"FunctionLoadRequest {response.FunctionId}");
            }
        }

        var httpUri = init.Capabilities.TryGetValue("HttpUri", out var uri) ? new Uri(uri) : null;
        return new LoadedWorker(functions, httpUri);
    }

    /// <summary>
    /// One HTTP request the way the host serves it for a worker with HTTP proxying (the HttpUri capability): the
    /// InvocationRequest over gRPC, its trigger input left empty, and the request itself forwarded to the worker's own
    /// HTTP server with the invocation id in x-ms-invocation-id. Returns when both the HTTP answer and the
    /// InvocationResponse are in.
    /// </summary>
    public static async Task<HttpAnswer> InvokeHttpAsync(WorkerChannel channel, LoadedWorker worker, HttpClient http, string path, CancellationToken cancellationToken)
    {
        var httpUri = worker.HttpUri ?? throw new InvalidOperationException("The worker did not advertise HttpUri (no ASP.NET Core integration).");
        var function = worker.Functions.FirstOrDefault(f => f.Route is { } route && string.Equals($"/{RoutePrefix}/{route}", path, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"No HTTP function has the literal route {path}.");
        var invocationId = Guid.NewGuid().ToString();
        var clock = Stopwatch.StartNew();
        await channel.SendAsync(new StreamingMessage
        {
            RequestId = NewId(),
            InvocationRequest = new InvocationRequest
            {
                InvocationId = invocationId,
                FunctionId = function.LoadRequest.FunctionId,
                InputData = { new ParameterBinding { Name = function.TriggerName!, Data = new TypedData() } },
                TraceContext = new RpcTraceContext { TraceParent = $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01" },
            },
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(httpUri, path));
        request.Headers.Add("x-ms-invocation-id", invocationId);
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var invocation = (await channel.ReceiveAsync(Kind.InvocationResponse, cancellationToken)).InvocationResponse;
        clock.Stop();
        return new HttpAnswer(path, (int)response.StatusCode, body.Length, invocation.Result.Status, clock.Elapsed);
    }

    private static string NewId() => Guid.NewGuid().ToString();

    private static void EnsureSuccess(StatusResult result, string step)
    {
        if (result.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"The worker answered {step} with {result.Status}: {result.Exception?.Message}{Environment.NewLine}{result.Exception?.StackTrace}");
        }
    }
}

internal sealed record LoadedWorker(IReadOnlyList<WorkerFunction> Functions, Uri? HttpUri);

internal sealed record HttpAnswer(string Path, int Status, int BodyBytes, StatusResult.Types.Status Invocation, TimeSpan Elapsed);

/// <summary>A function the worker listed, and the load request the host makes of it (FunctionLoadRequest from the worker's raw bindings).</summary>
internal sealed record WorkerFunction(FunctionLoadRequest LoadRequest, string? TriggerName, string? Route)
{
    public static WorkerFunction From(RpcFunctionMetadata listed, string appDirectory)
    {
        var metadata = new RpcFunctionMetadata
        {
            Name = listed.Name,
            Directory = listed.Directory,
            EntryPoint = listed.EntryPoint,
            ScriptFile = Path.Combine(appDirectory, listed.ScriptFile),
        };
        metadata.Properties.Add(listed.Properties);
        string? triggerName = null;
        string? route = null;
        foreach (var raw in listed.RawBindings)
        {
            using var json = JsonDocument.Parse(raw);
            var binding = json.RootElement;
            var name = binding.GetProperty("name").GetString()!;
            var info = new BindingInfo
            {
                Type = binding.GetProperty("type").GetString()!,
                Direction = Enum.Parse<BindingInfo.Types.Direction>(binding.GetProperty("direction").GetString()!, ignoreCase: true),
            };
            if (binding.TryGetProperty("dataType", out var dataType) && dataType.GetString() is { } type)
            {
                info.DataType = Enum.Parse<BindingInfo.Types.DataType>(type, ignoreCase: true);
            }

            if (binding.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in properties.EnumerateObject())
                {
                    info.Properties[property.Name] = property.Value.ToString();
                }
            }

            metadata.Bindings[name] = info;
            if (string.Equals(info.Type, "httpTrigger", StringComparison.OrdinalIgnoreCase))
            {
                triggerName = name;
                route = binding.TryGetProperty("route", out var template) && template.GetString() is { } r ? r : listed.Name;
            }
        }

        return new WorkerFunction(new FunctionLoadRequest { FunctionId = listed.FunctionId, Metadata = metadata }, triggerName, route);
    }
}
