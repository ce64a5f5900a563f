using System.Reflection;

namespace ServerlessBackend.Tests.Support;

/// <summary>Locations inside the repository, found from the running assembly's folder.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string TestTools => Path.Combine(Root, "tests", "tools");

    public static string FunctionsProject => Path.Combine(Root, "functions", "ServerlessBackend.Functions");

    /// <summary>The Functions app's build output (same configuration as the tests), where the Worker SDK writes functions.metadata.</summary>
    public static string FunctionsOutput
    {
        get
        {
            var configuration = typeof(RepoPaths).Assembly.GetCustomAttribute<BuildConfigurationAttribute>()?.Configuration ?? "Debug";
            return Path.Combine(FunctionsProject, "bin", configuration, "net10.0");
        }
    }

    public static string InRoot(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ServerlessBackend.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"ServerlessBackend.sln not found above {AppContext.BaseDirectory}.");
    }
}
