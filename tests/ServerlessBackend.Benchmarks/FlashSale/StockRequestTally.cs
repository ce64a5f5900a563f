using System.Collections.Concurrent;
using System.Net;
using Microsoft.Azure.Cosmos;
using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Features.Fulfillment;

namespace ServerlessBackend.Benchmarks.FlashSale;

/// <summary>
/// Counts the Cosmos requests of each stock-store call: a handler in the CosmosClient pipeline attributes every
/// request to the call running in the same async flow (<see cref="Tallied"/> wraps the real store).
/// </summary>
public sealed class StockRequestTally : RequestHandler
{
    private readonly AsyncLocal<Call?> _current = new();
    private readonly ConcurrentDictionary<string, Totals> _byOutcome = new(StringComparer.Ordinal);

    /// <summary>Per outcome ("reserve Reserved", "release True", ...): calls and the requests they sent.</summary>
    public IReadOnlyDictionary<string, Totals> ByOutcome => _byOutcome;

    public IStockStore Tallied(IStockStore inner) => new TalliedStockStore(inner, this);

    public override async Task<ResponseMessage> SendAsync(RequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await base.SendAsync(request, cancellationToken);
        if (_current.Value is { } call)
        {
            call.Requests++;
            call.Patches += request.Method.Method == "PATCH" ? 1 : 0;
            call.PreconditionFailures += response.StatusCode == HttpStatusCode.PreconditionFailed ? 1 : 0;
        }

        return response;
    }

    private async Task<T> Run<T>(string operation, Func<Task<T>> run)
    {
        var call = new Call();
        _current.Value = call;
        try
        {
            var result = await run();
            var totals = _byOutcome.GetOrAdd($"{operation} {result}", _ => new Totals());
            lock (totals)
            {
                totals.Calls++;
                totals.Requests += call.Requests;
                totals.PreconditionFailures += call.PreconditionFailures;
                totals.Retries += Math.Max(0, call.Patches - 1);
            }

            return result;
        }
        finally
        {
            _current.Value = null;
        }
    }

    public sealed class Totals
    {
        public int Calls { get; set; }

        public int Requests { get; set; }

        public int PreconditionFailures { get; set; }

        /// <summary>Patches sent after the call's first one: the client trying again.</summary>
        public int Retries { get; set; }
    }

    private sealed class Call
    {
        public int Requests { get; set; }

        public int Patches { get; set; }

        public int PreconditionFailures { get; set; }
    }

    private sealed class TalliedStockStore(IStockStore inner, StockRequestTally tally) : IStockStore
    {
        public Task<ReservationOutcome> ReserveAsync(string tenantId, string productId, string orderId, int quantity, CancellationToken cancellationToken) =>
            tally.Run("reserve", () => inner.ReserveAsync(tenantId, productId, orderId, quantity, cancellationToken));

        public Task<bool> ReleaseAsync(string tenantId, string productId, string orderId, int quantity, CancellationToken cancellationToken) =>
            tally.Run("release", () => inner.ReleaseAsync(tenantId, productId, orderId, quantity, cancellationToken));

        public Task<bool> ReleaseLeftoverAsync(string tenantId, string productId, string orderId, CancellationToken cancellationToken) =>
            tally.Run("release leftover", () => inner.ReleaseLeftoverAsync(tenantId, productId, orderId, cancellationToken));

        public Task<bool> CommitAsync(string tenantId, string productId, string orderId, int quantity, CancellationToken cancellationToken) =>
            tally.Run("commit", () => inner.CommitAsync(tenantId, productId, orderId, quantity, cancellationToken));

        public Task<bool> ReturnAsync(string tenantId, string productId, string returnKey, int quantity, CancellationToken cancellationToken) =>
            tally.Run("return", () => inner.ReturnAsync(tenantId, productId, returnKey, quantity, cancellationToken));
    }
}
