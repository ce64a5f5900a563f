using System.Collections.Immutable;
using Microsoft.Azure.Functions.Worker;

namespace ServerlessBackend.LocalHost;

/// <summary>The invocation context the worker would build: the function's definition from functions.metadata, the route values as binding data, the HttpContext where the ASP.NET Core integration keeps it.</summary>
public sealed class LocalFunctionContext(
    FunctionDefinition definition, IServiceProvider services, IReadOnlyDictionary<string, object?> bindingData, IDictionary<object, object> items, CancellationToken cancellationToken)
    : FunctionContext
{
    public override string InvocationId { get; } = Guid.NewGuid().ToString();

    public override string FunctionId => FunctionDefinition.Id;

    public override TraceContext TraceContext { get; } = new LocalTraceContext();

    public override BindingContext BindingContext { get; } = new LocalBindingContext(bindingData);

    public override RetryContext RetryContext => null!;

    public override IServiceProvider InstanceServices { get; set; } = services;

    public override FunctionDefinition FunctionDefinition { get; } = definition;

    public override IDictionary<object, object> Items { get; set; } = items;

    public override IInvocationFeatures Features => throw new NotSupportedException("The local host has no invocation features.");

    public override CancellationToken CancellationToken { get; } = cancellationToken;

    private sealed class LocalTraceContext : TraceContext
    {
        public override string TraceParent => "";

        public override string TraceState => "";
    }

    private sealed class LocalBindingContext(IReadOnlyDictionary<string, object?> data) : BindingContext
    {
        public override IReadOnlyDictionary<string, object?> BindingData { get; } = data;
    }
}

/// <summary>A function's definition as the worker loads it from functions.metadata.</summary>
public sealed class LocalFunctionDefinition(HttpFunction function, string pathToAssembly) : FunctionDefinition
{
    public override ImmutableArray<FunctionParameter> Parameters => [];

    public override string PathToAssembly { get; } = pathToAssembly;

    public override string EntryPoint { get; } = function.EntryPoint;

    public override string Id { get; } = function.Name;

    public override string Name { get; } = function.Name;

    public override IImmutableDictionary<string, BindingMetadata> InputBindings { get; } = Bindings(function, "In");

    public override IImmutableDictionary<string, BindingMetadata> OutputBindings { get; } = Bindings(function, "Out");

    private static ImmutableDictionary<string, BindingMetadata> Bindings(HttpFunction function, string direction) =>
        function.Bindings
            .Where(b => b.Direction == direction)
            .ToImmutableDictionary(b => b.Name, b => (BindingMetadata)new LocalBinding(b));

    private sealed class LocalBinding(FunctionBinding binding) : BindingMetadata
    {
        public override string Name { get; } = binding.Name;

        public override string Type { get; } = binding.Type;

        public override BindingDirection Direction { get; } = binding.Direction == "In" ? BindingDirection.In : BindingDirection.Out;
    }
}
