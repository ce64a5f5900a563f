using System.Diagnostics;
using System.Diagnostics.Metrics;
using ServerlessBackend.Functions.Domain.Catalog;
using ServerlessBackend.Functions.Domain.Orders;
using ServerlessBackend.Functions.Domain.Payments;
using ServerlessBackend.Functions.Platform.Json;
using ServerlessBackend.Functions.Platform.Telemetry;

namespace ServerlessBackend.Functions.Shared.Metrics;

/// <summary>
/// The app's instruments, on its <see cref="Meter"/> named <see cref="AppTelemetry.Name"/> (created through
/// <see cref="IMeterFactory"/>, so each service provider, e.g. a test's, has its own). Tags are the tenant id and fixed
/// words only (a status, a reason, an outcome, a subscription): never an email address, a customer id or a name.
/// </summary>
public sealed class AppMetrics
{
    public const string TenantTag = "tenant.id";
    public const string StatusTag = "order.status";
    public const string PaymentStatusTag = "payment.status";
    public const string ReasonTag = "reason";
    public const string OutcomeTag = "outcome";
    public const string SubscriptionTag = "messaging.destination.subscription.name";

    private readonly Counter<long> _ordersPlaced;
    private readonly Counter<long> _orderStatusChanges;
    private readonly Counter<long> _paymentStatusChanges;
    private readonly Counter<long> _reservationConditionFailures;
    private readonly Histogram<double> _outboxLag;
    private readonly Counter<long> _emails;
    private readonly Counter<long> _deadLettersReplayed;

    public AppMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(AppTelemetry.Name);
        _ordersPlaced = meter.CreateCounter<long>(
            "orders.placed", "{order}", "Orders created by a first placement (not replays, not refusals).");
        _orderStatusChanges = meter.CreateCounter<long>(
            "orders.status_changes", "{order}", "Order status changes written, by target status (confirmed, rejected, shipped, cancelled).");
        _paymentStatusChanges = meter.CreateCounter<long>(
            "payments.status_changes", "{payment}", "Order payment status changes written, by status (e.g. captureFailed: shipped with nothing taken).");
        _reservationConditionFailures = meter.CreateCounter<long>(
            "stock.reservation.condition_failures", "{reservation}", "Stock reservations whose conditional patch failed its condition, by why.");
        _outboxLag = meter.CreateHistogram<double>(
            "outbox.lag", "s", "Per relay run: how long the oldest event it found (pending past its delay) has been pending; 0 when it found none.");
        _emails = meter.CreateCounter<long>(
            "emails.sends", "{email}", "Email sends that ended, by outcome (sent, recipientRefused, relayRefused, relayDeferred, failed).");
        _deadLettersReplayed = meter.CreateCounter<long>(
            "deadletters.replayed", "{message}", "Dead-lettered messages an admin replayed, by subscription.");
    }

    public void OrderPlaced(string tenantId) =>
        _ordersPlaced.Add(1, new KeyValuePair<string, object?>(TenantTag, tenantId));

    public void OrderStatusChanged(string tenantId, OrderStatus target) =>
        _orderStatusChanges.Add(1, new TagList { { TenantTag, tenantId }, { StatusTag, JsonNaming.EnumValue(target) } });

    public void PaymentStatusChanged(string tenantId, PaymentStatus status) =>
        _paymentStatusChanges.Add(1, new TagList { { TenantTag, tenantId }, { PaymentStatusTag, JsonNaming.EnumValue(status) } });

    /// <summary>
    /// <paramref name="decided"/> is what the read after the failed condition said; Reserved there means the product
    /// changed between the patch and the read (tagged "changed"; the store decides again).
    /// </summary>
    public void ReservationConditionFailed(string tenantId, ReservationOutcome decided) =>
        _reservationConditionFailures.Add(1, new TagList
        {
            { TenantTag, tenantId },
            { ReasonTag, decided == ReservationOutcome.Reserved ? "changed" : JsonNaming.EnumValue(decided) },
        });

    public void OutboxLag(TimeSpan oldestPendingAge) =>
        _outboxLag.Record(Math.Max(0, oldestPendingAge.TotalSeconds));

    public void EmailSendEnded(string tenantId, string outcome) =>
        _emails.Add(1, new TagList { { TenantTag, tenantId }, { OutcomeTag, outcome } });

    public void DeadLettersReplayed(string tenantId, string subscription, int count) =>
        _deadLettersReplayed.Add(count, new TagList { { TenantTag, tenantId }, { SubscriptionTag, subscription } });

    /// <summary>The values of <see cref="OutcomeTag"/> on emails.sends.</summary>
    public static class EmailOutcome
    {
        public const string Sent = "sent";

        /// <summary>The recipient's own refusal (no such mailbox, say): recorded, not retried.</summary>
        public const string RecipientRefused = "recipientRefused";

        /// <summary>The relay refused for itself, for good (policy, authentication): every email fails until its setup changes; alerted on.</summary>
        public const string RelayRefused = "relayRefused";

        /// <summary>The relay answered 4xx: retried.</summary>
        public const string RelayDeferred = "relayDeferred";

        /// <summary>No answer: the relay unreachable, TLS failed, the send timed out.</summary>
        public const string Failed = "failed";
    }
}
