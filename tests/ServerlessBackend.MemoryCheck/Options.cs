using System.Globalization;

namespace ServerlessBackend.MemoryCheck;

/// <summary>The command line (tests/README.md, "Worker memory").</summary>
internal sealed class Options
{
    public int Runs { get; private set; } = 5;

    public TimeSpan Settle { get; private set; } = TimeSpan.FromSeconds(10);

    /// <summary>A published app to measure instead of publishing the repository's (e.g. an older build, for a before/after).</summary>
    public string? App { get; private set; }

    public string? Quickstart { get; private set; }

    public string Request { get; private set; } = "/api/health";

    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>A local.settings.json whose Values replace the production-shaped app settings (as Core Tools passes them).</summary>
    public string? Settings { get; private set; }

    public bool ListAssemblies { get; private set; }

    /// <summary>List the code each app compiled by the idle sample, by namespace (up to this many name parts); 0 for none.</summary>
    public int CodeDepth { get; private set; }

    public bool Isolate { get; private set; } = true;

    /// <summary>Set on the copy of the tool that runs inside its own network namespace.</summary>
    public bool Isolated { get; private set; }

    public string? Work { get; private set; }

    public static Options Parse(IReadOnlyList<string> args)
    {
        var options = new Options();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => ++i < args.Count ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value.");
            switch (args[i])
            {
                case "--runs": options.Runs = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--settle": options.Settle = TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture)); break;
                case "--app": options.App = Path.GetFullPath(Value()); break;
                case "--quickstart": options.Quickstart = Path.GetFullPath(Value()); break;
                case "--request": options.Request = Value(); break;
                case "--env":
                    var pair = Value().Split('=', 2);
                    options.Environment[pair[0]] = pair.Length == 2 ? pair[1] : throw new ArgumentException("--env takes NAME=VALUE.");
                    break;
                case "--settings": options.Settings = Path.GetFullPath(Value()); break;
                case "--assemblies": options.ListAssemblies = true; break;
                case "--code": options.CodeDepth = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--no-isolate": options.Isolate = false; break;
                case "--isolated": options.Isolated = true; break;
                case "--work": options.Work = Path.GetFullPath(Value()); break;
                default: throw new ArgumentException($"Unknown argument {args[i]}. See tests/README.md, \"Worker memory\".");
            }
        }

        return options;
    }

    /// <summary>The arguments for the copy of the tool that measures the already published apps.</summary>
    public IEnumerable<string> ForMeasurement(string app, string quickstart)
    {
        yield return "--runs";
        yield return Runs.ToString(CultureInfo.InvariantCulture);
        yield return "--settle";
        yield return Settle.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        yield return "--app";
        yield return app;
        yield return "--quickstart";
        yield return quickstart;
        yield return "--request";
        yield return Request;
        foreach (var (name, value) in Environment)
        {
            yield return "--env";
            yield return $"{name}={value}";
        }

        if (Settings is not null)
        {
            yield return "--settings";
            yield return Settings;
        }

        if (ListAssemblies)
        {
            yield return "--assemblies";
        }

        if (CodeDepth > 0)
        {
            yield return "--code";
            yield return CodeDepth.ToString(CultureInfo.InvariantCulture);
        }

        yield return "--isolated";
    }
}
