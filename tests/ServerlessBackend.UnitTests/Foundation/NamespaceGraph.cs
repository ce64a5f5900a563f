using Mono.Cecil;

namespace ServerlessBackend.UnitTests.Foundation;

/// <summary>
/// Which module of the app uses which, read from the compiled assembly: a module is a folder two levels under the
/// root namespace (Domain.Orders, Platform.Http, Features.Catalog). An edge records the first type found using the
/// other module's type, so a failure can say what to move. Everything a type touches counts: base types,
/// interfaces, attributes, fields, signatures, generic arguments and the types, methods and fields its code uses.
/// </summary>
internal sealed class NamespaceGraph
{
    private readonly Dictionary<string, Dictionary<string, (string From, string To)>> _edges = new(StringComparer.Ordinal);

    private NamespaceGraph(string root) => Root = root;

    public string Root { get; }

    public IReadOnlyCollection<string> Modules => _edges.Keys;

    public static NamespaceGraph Read(string assemblyPath, string root)
    {
        var graph = new NamespaceGraph(root);
        using var assembly = AssemblyDefinition.ReadAssembly(assemblyPath);
        foreach (var type in assembly.MainModule.GetTypes())
        {
            var from = graph.ModuleOf(type);
            if (from is null)
            {
                continue;
            }

            graph._edges.TryAdd(from, new(StringComparer.Ordinal));
            foreach (var used in Uses(type))
            {
                var to = graph.ModuleOf(used);
                if (to is not null && to != from)
                {
                    graph._edges[from].TryAdd(to, (Outermost(type).FullName, used.FullName));
                }
            }
        }

        return graph;
    }

    /// <summary>A graph of the given uses between modules, to test the graph's own reasoning.</summary>
    public static NamespaceGraph Of(params (string From, string To)[] uses)
    {
        var graph = new NamespaceGraph("");
        foreach (var (from, to) in uses)
        {
            graph._edges.TryAdd(to, new(StringComparer.Ordinal));
            graph._edges.TryAdd(from, new(StringComparer.Ordinal));
            graph._edges[from].TryAdd(to, (from, to));
        }

        return graph;
    }

    /// <summary>The modules <paramref name="module"/> uses, each with the first use found.</summary>
    public IReadOnlyDictionary<string, (string From, string To)> UsesOf(string module) =>
        _edges.TryGetValue(module, out var uses) ? uses : new Dictionary<string, (string, string)>();

    /// <summary>Every set of modules that reach each other (Tarjan's strongly connected components of two or more).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var cycles = new List<IReadOnlyList<string>>();

        void Visit(string module)
        {
            index[module] = low[module] = index.Count;
            stack.Push(module);
            onStack.Add(module);
            foreach (var next in UsesOf(module).Keys)
            {
                if (!index.TryGetValue(next, out var seen))
                {
                    Visit(next);
                    low[module] = Math.Min(low[module], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[module] = Math.Min(low[module], seen);
                }
            }

            if (low[module] == index[module])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != module);

                if (component.Count > 1)
                {
                    cycles.Add([.. component.Order(StringComparer.Ordinal)]);
                }
            }
        }

        foreach (var module in _edges.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(module))
            {
                Visit(module);
            }
        }

        return cycles;
    }

    /// <summary>"Domain.Orders" (or "Domain" for the layer's own namespace), or null outside the app's layers (the composition root, the runtime).</summary>
    public string? ModuleOf(TypeReference type)
    {
        var ns = Outermost(type.GetElementType()).Namespace;
        if (!ns.StartsWith(Root + ".", StringComparison.Ordinal))
        {
            return null;
        }

        var parts = ns[(Root.Length + 1)..].Split('.');
        return parts.Length >= 2 ? $"{parts[0]}.{parts[1]}" : parts[0]; // a layer's own namespace is a module too
    }

    private static TypeReference Outermost(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type;
    }

    private static List<TypeReference> Uses(TypeDefinition type)
    {
        var found = new List<TypeReference>();
        void Add(TypeReference? reference)
        {
            switch (reference)
            {
                case null or GenericParameter:
                    return;
                case GenericInstanceType generic:
                    Add(generic.ElementType);
                    foreach (var argument in generic.GenericArguments)
                    {
                        Add(argument);
                    }

                    return;
                case TypeSpecification specification:
                    Add(specification.ElementType);
                    return;
                default:
                    found.Add(reference);
                    return;
            }
        }

        void AddAttributes(ICustomAttributeProvider provider)
        {
            foreach (var attribute in provider.CustomAttributes)
            {
                Add(attribute.AttributeType);
                foreach (var argument in attribute.ConstructorArguments)
                {
                    Add(argument.Value as TypeReference);
                }
            }
        }

        void AddMethod(MethodReference method)
        {
            Add(method.DeclaringType);
            Add(method.ReturnType);
            foreach (var parameter in method.Parameters)
            {
                Add(parameter.ParameterType);
            }

            if (method is GenericInstanceMethod generic)
            {
                foreach (var argument in generic.GenericArguments)
                {
                    Add(argument);
                }
            }
        }

        Add(type.BaseType);
        AddAttributes(type);
        foreach (var implemented in type.Interfaces)
        {
            Add(implemented.InterfaceType);
        }

        foreach (var field in type.Fields)
        {
            Add(field.FieldType);
            AddAttributes(field);
        }

        foreach (var property in type.Properties)
        {
            Add(property.PropertyType);
            AddAttributes(property);
        }

        foreach (var method in type.Methods)
        {
            AddMethod(method);
            AddAttributes(method);
            foreach (var parameter in method.Parameters)
            {
                AddAttributes(parameter);
            }

            if (!method.HasBody)
            {
                continue;
            }

            foreach (var variable in method.Body.Variables)
            {
                Add(variable.VariableType);
            }

            foreach (var instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference operand:
                        Add(operand);
                        break;
                    case MethodReference operand:
                        AddMethod(operand);
                        break;
                    case FieldReference operand:
                        Add(operand.DeclaringType);
                        Add(operand.FieldType);
                        break;
                }
            }
        }

        return found;
    }
}
