using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Tests.Support;

namespace ServerlessBackend.UnitTests.Domain.Orders;

public sealed class ProductDemandTests
{
    [Fact]
    public void Lines_of_one_product_add_up_and_products_come_in_ordinal_id_order()
    {
        var order = TestData.Order("tenant-a") with
        {
            Lines =
            [
                OrderLine.Priced("sku-b", "Beans", 2, 5m),
                OrderLine.Priced("SKU-C", "Cups", 1, 3m),
                OrderLine.Priced("sku-b", "Beans", 3, 5m),
                OrderLine.Priced("sku-a", "Apron", 1, 9m),
            ],
        };

        var demand = ProductDemand.Of(order);

        // Ordinal: upper case before lower case, the same sequence for every order that takes these products.
        Assert.Equal(
            [new ProductDemand("SKU-C", "Cups", 1), new ProductDemand("sku-a", "Apron", 1), new ProductDemand("sku-b", "Beans", 5)],
            demand);
    }
}
