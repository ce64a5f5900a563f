using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Domain.Orders;

namespace ServerlessBackend.Tests.Support;

/// <summary>Valid domain objects with unique ids, for tests that need something stored.</summary>
public static class TestData
{
    public static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    public static string NewTenant() => $"tenant-{Guid.NewGuid():N}";

    public static Product Product(string tenantId, string? id = null, decimal price = 12.50m, int stock = 10, bool active = true) => new()
    {
        Id = id ?? $"SKU-{Guid.NewGuid():N}"[..16],
        TenantId = tenantId,
        Name = "Espresso beans",
        Description = "Dark roast, 1 kg",
        Price = price,
        Currency = "EUR",
        AvailableStock = stock,
        Active = active,
        CreatedAt = Now,
        UpdatedAt = Now,
    };

    public static Order Order(string tenantId, string customerId = "customer-1", string? id = null, DateTimeOffset? at = null) =>
        Functions.Domain.Orders.Order.Place(
            id ?? $"o-{Guid.NewGuid():N}",
            tenantId,
            customerId,
            "customer@example.test",
            [OrderLine.Priced("SKU-1", "Espresso beans", 2, 12.50m), OrderLine.Priced("SKU-2", "Filter papers", 1, 3.20m)],
            "EUR",
            requestHash: "hash",
            at ?? Now,
            correlationId: "corr-1");
}
