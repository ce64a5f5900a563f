using System.Xml.Linq;

namespace ServerlessBackend.MemoryCheck;

/// <summary>
/// The comparison app: what the Functions template for the isolated worker generates for one HTTP trigger
/// (FunctionsApplication.CreateBuilder, ConfigureFunctionsWebApplication, one HttpTrigger returning a greeting), on the
/// worker packages at the versions the app uses. Written to a temporary folder, outside the repository and its
/// Directory.Build.props, as a fresh `func init` + `func new` would be.
/// </summary>
internal static class QuickstartApp
{
    public const string Name = "Quickstart";

    public static string Write(string directory, string repositoryRoot)
    {
        var versions = XDocument.Load(Path.Combine(repositoryRoot, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!, StringComparer.Ordinal);
        string Package(string id) => $"""    <PackageReference Include="{id}" Version="{versions[id]}" />""";

        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, $"{Name}.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <AzureFunctionsVersion>v4</AzureFunctionsVersion>
                <OutputType>Exe</OutputType>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <FrameworkReference Include="Microsoft.AspNetCore.App" />
            {Package("Microsoft.Azure.Functions.Worker")}
            {Package("Microsoft.Azure.Functions.Worker.Extensions.Http.AspNetCore")}
            {Package("Microsoft.Azure.Functions.Worker.Sdk")}
              </ItemGroup>
              <ItemGroup>
                <None Update="host.json" CopyToOutputDirectory="PreserveNewest" />
              </ItemGroup>
              <ItemGroup>
                <Using Include="System.Threading.ExecutionContext" Alias="ExecutionContext" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "host.json"), """{ "version": "2.0" }""");
        File.WriteAllText(Path.Combine(directory, "Program.cs"), """
            using Microsoft.Azure.Functions.Worker.Builder;
            using Microsoft.Extensions.Hosting;

            var builder = FunctionsApplication.CreateBuilder(args);
            builder.ConfigureFunctionsWebApplication();
            builder.Build().Run();
            """);
        File.WriteAllText(Path.Combine(directory, "HttpExample.cs"), """
            using Microsoft.AspNetCore.Http;
            using Microsoft.AspNetCore.Mvc;
            using Microsoft.Azure.Functions.Worker;
            using Microsoft.Extensions.Logging;

            namespace Quickstart;

            public class HttpExample(ILogger<HttpExample> logger)
            {
                [Function("HttpExample")]
                public IActionResult Run([HttpTrigger(AuthorizationLevel.Function, "get", "post")] HttpRequest req)
                {
                    logger.LogInformation("C# HTTP trigger function processed a request.");
                    return new OkObjectResult("Welcome to Azure Functions!");
                }
            }
            """);
        return Path.Combine(directory, $"{Name}.csproj");
    }
}
