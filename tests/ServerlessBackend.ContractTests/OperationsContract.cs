using ServerlessBackend.ContractTests.Targets;
using ServerlessBackend.Load;

namespace ServerlessBackend.ContractTests;

/// <summary>The admin's dead-letter routes: who may call them, and a Service Bus that cannot be reached is a 503 with Retry-After.</summary>
public abstract class OperationsContract(IContractApp app) : ContractSuite(app)
{
    [ContractFact(Identity.Customer, Identity.Admin)]
    public async Task Dead_letters_are_403_for_a_customer_and_404_for_an_unknown_subscription()
    {
        var customer = await Api.SendAsync("GET", "v1/admin/dead-letters/email", Identity.Customer);
        var replay = await Api.SendAsync("POST", "v1/admin/dead-letters/email/replay", Identity.Customer, """{"sequenceNumbers":[1]}""");
        var unknown = await Api.SendAsync("GET", "v1/admin/dead-letters/nope", Identity.Admin);

        customer.AssertProblem(403);
        replay.AssertProblem(403);
        unknown.AssertProblem(404);
    }

    [ContractFact(Identity.Admin, NeedsServiceBusDown = true)]
    public async Task Without_a_reachable_service_bus_the_dead_letter_routes_are_503_with_retry_after()
    {
        var list = await Api.SendAsync("GET", "v1/admin/dead-letters/fulfillment", Identity.Admin);
        var replay = await Api.SendAsync("POST", "v1/admin/dead-letters/fulfillment/replay", Identity.Admin, """{"sequenceNumbers":[1]}""");

        foreach (var response in new[] { list, replay })
        {
            response.AssertProblem(503);
            Assert.Matches("^[1-9][0-9]*$", response.Header("Retry-After"));
        }
    }
}

[Collection(LocalHostCollection.Name)]
public sealed class OperationsContractOnLocalHost(LocalHostApp app) : OperationsContract(app);

[Collection(DiscoveredAppCollection.Name)]
public sealed class OperationsContractOnDiscoveredTarget(DiscoveredApp app) : OperationsContract(app), IRunsOnDiscoveredTarget;
