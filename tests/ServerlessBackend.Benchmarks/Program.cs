using BenchmarkDotNet.Running;

// Pass BenchmarkDotNet's usual arguments, e.g. --filter '*' --job short (README, "Performance").
BenchmarkSwitcher.FromAssembly(typeof(ServerlessBackend.Benchmarks.SampleOrders).Assembly).Run(args);
