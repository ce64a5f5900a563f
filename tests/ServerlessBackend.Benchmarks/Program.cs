using BenchmarkDotNet.Running;
using ServerlessBackend.Benchmarks.FlashSale;

// `-- flash-sale [--orders N --stock K --consumers C]` runs the flash sale against the local Cosmos-protocol server;
// anything else goes to BenchmarkDotNet, e.g. --filter '*' --job short (tests/README.md, "Benchmarks and performance").
if (args is ["flash-sale", .. var flags])
{
    return await FlashSaleRun.RunAsync(flags, Console.Out, CancellationToken.None);
}

BenchmarkSwitcher.FromAssembly(typeof(ServerlessBackend.Benchmarks.SampleOrders).Assembly).Run(args);
return 0;
