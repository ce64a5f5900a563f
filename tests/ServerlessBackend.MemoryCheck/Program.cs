using ServerlessBackend.MemoryCheck;

// Worker memory at start: the app against the one-function quickstart, each under a fresh stand-in host, alternating,
// several runs (tests/README.md, "Worker memory").
var options = Options.Parse(args);
if (!options.Isolated)
{
    var root = Build.RepositoryRoot();
    var work = options.Work ?? Path.Combine(Path.GetTempPath(), "serverless-backend-memory");
    var app = options.App ?? Build.Publish(Path.Combine(root, "functions", "ServerlessBackend.Functions"), Path.Combine(work, "app"));
    var quickstart = options.Quickstart
        ?? Build.Publish(QuickstartApp.Write(Path.Combine(work, "quickstart-src"), root), Path.Combine(work, "quickstart"));
    if (options.Isolate && NetworkIsolation.Available())
    {
        // The builds above needed the package feed; the measurement needs nothing beyond this machine's loopback.
        return NetworkIsolation.Run(options.ForMeasurement(app, quickstart));
    }

    Console.WriteLine("network: not isolated (no unshare/ip or no permission); the settings point nowhere but loopback and .invalid");
    options = Options.Parse([.. options.ForMeasurement(app, quickstart)]);
}
else
{
    Console.WriteLine("network: own namespace, loopback only");
}

var apps = new[]
{
    new AppUnderTest(QuickstartApp.Name, options.Quickstart!, "/api/HttpExample"),
    new AppUnderTest("ServerlessBackend", options.App!, options.Request),
};
var measurements = new List<Measurement>();
for (var run = 1; run <= options.Runs; run++)
{
    // Alternate which app goes first, so neither always runs on a machine the other just warmed.
    foreach (var app in run % 2 == 1 ? apps : apps.Reverse())
    {
        var measurement = await Measurement.RunAsync(app, options);
        measurements.Add(measurement);
        Console.WriteLine(Report.Line(run, measurement));
    }
}

Report.Summary(measurements, apps[0].Name, apps[1].Name, options);
return 0;
