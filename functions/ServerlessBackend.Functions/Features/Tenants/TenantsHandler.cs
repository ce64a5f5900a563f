using ServerlessBackend.Functions.Platform.Auth;
using ServerlessBackend.Functions.Platform.Cosmos;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Audit;
using ServerlessBackend.Functions.Shared.Tenancy;

namespace ServerlessBackend.Functions.Features.Tenants;

/// <summary>
/// Operators onboard, rename, suspend (offboard) and reactivate tenants: a record in Cosmos, never a code change. A PUT
/// says what the record should be; a PUT that changes nothing writes nothing (a retry is harmless). Every change appends
/// a <see cref="TenantChange"/> to the record and writes the tenant's audit entry in the same transactional batch (the
/// operator's entries appear in the tenant's audit log). Suspending keeps the tenant's data; its callers
/// get a 403 naming onboarding, at once on this instance and within the allow-list's cache lifetime on the others.
/// </summary>
public sealed class TenantsHandler(ITenantStore store, ITenantDirectory directory, TimeProvider clock, AuditTrail audit)
{
    // Each lost race means another operator's write landed: this bounds the concurrent writers a PUT outlasts.
    private const int MaxAttempts = 5;

    public async Task<Outcome<Versioned<TenantRecord>>> GetAsync(string tenantId, CancellationToken cancellationToken) =>
        await store.GetAsync(tenantId, cancellationToken) is { } found ? Outcome.Ok(found) : ApiError.NotFound("The tenant");

    public async Task<Outcome<PutTenant>> PutAsync(Caller @operator, string tenantId, PutTenantRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(@operator);
        ArgumentNullException.ThrowIfNull(request);
        var errors = request.Validate(tenantId);
        if (!errors.IsEmpty)
        {
            return errors.ToError();
        }

        var name = request.DisplayName!.Trim();
        var status = request.Status ?? TenantStatus.Active;
        try
        {
            // Another operator's change landing between the read and the write (a 412, or a 409 when both onboard): read
            // it again and apply this one on top.
            var outcome = await ETagRaces.DecideAsync(
                await store.GetAsync(tenantId, cancellationToken),
                existing => PutOnceAsync(@operator, tenantId, existing, name, status, cancellationToken),
                _ => store.GetAsync(tenantId, cancellationToken),
                MaxAttempts);
            directory.Forget(tenantId);
            return Outcome.Ok(outcome);
        }
        catch (DocumentPreconditionFailedException)
        {
            return ApiError.Contended("The tenant");
        }
    }

    private async Task<PutTenant> PutOnceAsync(
        Caller @operator, string tenantId, Versioned<TenantRecord>? existing, string name, TenantStatus status, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (existing is null)
        {
            var record = new TenantRecord
            {
                TenantId = tenantId,
                DisplayName = name,
                Status = status,
                CreatedAt = now,
                UpdatedAt = now,
                History = [new TenantChange(now, @operator.UserId, status == TenantStatus.Active ? "onboarded" : "suspended", status, name)],
            };
            var created = Entry(@operator, record.History[0].Action, before: null, record);
            try
            {
                return new PutTenant(new Versioned<TenantRecord>(record, await store.CreateAsync(record, created, cancellationToken)), Created: true);
            }
            catch (DocumentConflictException e)
            {
                throw new DocumentPreconditionFailedException(tenantId, e); // onboarded meanwhile: a lost race like a changed ETag
            }
        }

        var current = existing.Value;
        if (current.DisplayName == name && current.Status == status)
        {
            return new PutTenant(existing, Created: false);
        }

        var action = current.Status == status ? "renamed" : status == TenantStatus.Active ? "reactivated" : "suspended";
        var changed = current with
        {
            DisplayName = name,
            Status = status,
            UpdatedAt = now,
            History = [.. current.History, new TenantChange(now, @operator.UserId, action, status, name)],
        };
        var entry = Entry(@operator, action, current, changed);
        return new PutTenant(new Versioned<TenantRecord>(changed, await store.ReplaceAsync(changed, existing.ETag, entry, cancellationToken)), Created: false);
    }

    private AuditEntry Entry(Caller @operator, string action, TenantRecord? before, TenantRecord after) =>
        audit.Entry(new AuditAction(AuditActor.Of(@operator), "tenant." + action), after.TenantId, AuditResource.Tenant(after.TenantId), before, after, AuditFields.Tenant);
}

/// <summary>The record after a PUT; <see cref="Created"/> when the PUT onboarded the tenant.</summary>
public sealed record PutTenant(Versioned<TenantRecord> Tenant, bool Created);
