using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Audit;
using ServerlessBackend.Functions.Shared.Orders;

namespace ServerlessBackend.Functions.Features.Privacy;

/// <summary>
/// A customer's personal data: everything the tenant holds about them, as JSON (the customer asks for their own, an
/// admin for anyone's in the tenant), and its erasure (admin). Erasure keeps what bookkeeping needs (order ids, lines,
/// amounts, statuses, dates, the notification records, which hold no address) and replaces the rest: the contact
/// email, the payment method and client secret, the request hash, and the customer id, which becomes one fresh
/// pseudonym for all the customer's documents. It is idempotent: a second erasure finds nothing under the subject.
/// Each erased order gets an audit entry (customer.erased, by the admin) in the same batch as its erasure; the entry names
/// the order, never the subject or any erased value.
/// </summary>
public sealed class PersonalDataHandler(CosmosPersonalData data, IOrderStore orders, AuditTrail audit, TimeProvider clock)
{
    public const int MaxSubjectLength = 256;

    public async Task<Outcome<PersonalDataExport>> ExportAsync(Caller caller, string? subject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (subject is null)
        {
            if (CallerRules.RequireUser(caller) is { } refused)
            {
                return refused;
            }

            subject = caller.UserId;
        }
        else if (!IsSubject(subject))
        {
            return ApiError.NotFound("The customer");
        }

        var documents = await data.CustomerDocumentsAsync(caller.TenantId, subject, cancellationToken);
        var orderDocuments = documents.Select(d => d.Value).Where(d => !CosmosPersonalData.IsRefusedAttempt(d)).ToList();
        var notifications = new List<JsonObject>();
        foreach (var order in orderDocuments)
        {
            notifications.AddRange(await data.NotificationsAsync(caller.TenantId, (string)order["id"]!, cancellationToken));
        }

        return Outcome.Ok(new PersonalDataExport(
            subject,
            clock.GetUtcNow(),
            [.. orderDocuments.Select(d => CosmosPersonalData.ToElement(CosmosPersonalData.WithoutSystemProperties(d)))],
            [.. documents.Select(d => d.Value).Where(CosmosPersonalData.IsRefusedAttempt).Select(d => CosmosPersonalData.ToElement(CosmosPersonalData.WithoutSystemProperties(d)))],
            [.. notifications.Select(CosmosPersonalData.ToElement)]));
    }

    public async Task<Outcome<ErasureResult>> EraseAsync(Caller caller, string subject, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!IsSubject(subject))
        {
            return ApiError.NotFound("The customer");
        }

        var now = clock.GetUtcNow();
        var pseudonym = "erased-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var erasedOrders = 0;
        var erasedAttempts = 0;
        foreach (var document in await data.CustomerDocumentsAsync(caller.TenantId, subject, cancellationToken))
        {
            var id = (string)document.Value["id"]!;
            if (CosmosPersonalData.IsRefusedAttempt(document.Value))
            {
                var pseudonymised = document.Value.DeepClone().AsObject();
                pseudonymised["customerId"] = pseudonym;
                pseudonymised["requestHash"] = Order.ErasedRequestHash;
                if (!await data.TryReplaceAsync(caller.TenantId, document with { Value = pseudonymised }, cancellationToken))
                {
                    return ApiError.Contended("The customer's data");
                }

                erasedAttempts++;
            }
            else if (await EraseOrderAsync(caller, id, subject, pseudonym, now, cancellationToken) is { } erased)
            {
                erasedOrders += erased ? 1 : 0;
            }
            else
            {
                return ApiError.Contended("The customer's data");
            }
        }

        return Outcome.Ok(new ErasureResult(subject, now, erasedOrders, erasedAttempts));
    }

    /// <summary>Erases one order (a compare-and-swap, decided again after a lost race): true when erased now, false when gone or no longer the subject's, null when it kept changing.</summary>
    private async Task<bool?> EraseOrderAsync(Caller caller, string orderId, string subject, string pseudonym, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await orders.GetAsync(caller.TenantId, orderId, cancellationToken) is not { } current)
        {
            return false;
        }

        try
        {
            return await ETagRaces.DecideAsync(
                current,
                async order =>
                {
                    if (order.Value.CustomerId != subject)
                    {
                        return false;
                    }

                    var erased = order.Value.WithPersonalDataErased(pseudonym, now);
                    var entry = audit.Entry(new AuditAction(AuditActor.Of(caller), "customer.erased"), caller.TenantId, AuditResource.Order(orderId), order.Value, erased, AuditFields.Order);
                    await orders.ReplaceAsync(erased, order.ETag, entry, cancellationToken);
                    return true;
                },
                order => orders.RereadAsync(order.Value, cancellationToken));
        }
        catch (DocumentPreconditionFailedException)
        {
            return null;
        }
    }

    private static bool IsSubject(string? subject) => !string.IsNullOrWhiteSpace(subject) && subject.Length <= MaxSubjectLength && PrintableText.IsPrintable(subject);
}

/// <summary>Everything the tenant holds about one customer, as stored: orders (with contact emails and payments), refused order attempts, and the email notification records of those orders.</summary>
public sealed record PersonalDataExport(
    string Subject,
    DateTimeOffset ExportedAt,
    IReadOnlyList<System.Text.Json.JsonElement> Orders,
    IReadOnlyList<System.Text.Json.JsonElement> RefusedOrderAttempts,
    IReadOnlyList<System.Text.Json.JsonElement> Notifications);

/// <summary>What an erasure did: the documents it erased now (0 and 0 when repeated).</summary>
public sealed record ErasureResult(string Subject, DateTimeOffset ErasedAt, int OrdersErased, int RefusedOrderAttemptsErased);
