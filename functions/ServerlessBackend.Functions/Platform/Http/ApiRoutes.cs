namespace ServerlessBackend.Functions.Platform.Http;

/// <summary>
/// The route template of every HTTP function, relative to the host's route prefix (host.json: api). One function per
/// template serves all of its methods (<see cref="MethodDispatch"/>), and no request path matches two functions' routes,
/// so no answer depends on the order in which the host tries them (it tries them by function name, whatever their
/// specificity). FunctionRoutesTests proves both over the generated functions.metadata.
/// </summary>
public static class ApiRoutes
{
    public const string Health = "health";
    public const string Readiness = "health/ready";
    public const string OpenApiDocument = "openapi.json";
    public const string Products = "v1/products";
    public const string Product = "v1/products/{productId}";
    public const string ProductStock = "v1/products/{productId}/stock";
    public const string ProductDeactivation = "v1/products/{productId}/deactivate";
    public const string Orders = "v1/orders";
    public const string Order = "v1/orders/{orderId}";
    public const string OrderCancellation = "v1/orders/{orderId}/cancel";
    public const string OrderShipment = "v1/orders/{orderId}/ship";
    public const string OrderRefunds = "v1/orders/{orderId}/refunds";
    public const string OrderRefund = "v1/orders/{orderId}/refunds/{refundId}";
    public const string DeadLetters = "v1/admin/dead-letters/{subscription}";
    public const string DeadLetterReplay = "v1/admin/dead-letters/{subscription}/replay";
    public const string AuditLog = "v1/admin/audit";
    public const string StripeWebhook = "v1/payments/stripe/webhook";
    public const string Tenant = "v1/operator/tenants/{tenantId}";
    public const string Webhooks = "v1/admin/webhooks";
    public const string Webhook = "v1/admin/webhooks/{webhookId}";
    public const string WebhookSecretRotation = "v1/admin/webhooks/{webhookId}/rotate-secret";
    public const string WebhookEnabling = "v1/admin/webhooks/{webhookId}/enable";
    public const string MyData = "v1/customers/me/data";
    public const string CustomerData = "v1/admin/customers/{subject}/data";
    public const string CustomerErasure = "v1/admin/customers/{subject}/erase";

    /// <summary>The route parameter of <see cref="Unmatched"/> that holds the path after the route prefix.</summary>
    public const string UnmatchedPathParameter = "path";

    /// <summary>
    /// Every path under the prefix that none of the routes above matches: a catch-all whose regex constraint refuses
    /// each of them (a parameter is one non-empty segment, <c>[^/]+</c>; the host's routing also matches them with a
    /// trailing slash), and "/" as the default value, so the prefix alone (an empty value, which a regex constraint
    /// refuses) is claimed too. Route constraints match ignoring case, like literal segments.
    /// </summary>
    public const string Unmatched = "{*" + UnmatchedPathParameter + ":regex(^(?!(?:" + KnownPaths + ")/?$))=/}";

    /// <summary>The routes above as regular expression alternatives, one per route (FunctionRoutesTests checks them against functions.metadata).</summary>
    public const string KnownPaths =
        "health|health/ready|openapi\\.json"
        + "|v1/products|v1/products/[^/]+|v1/products/[^/]+/stock|v1/products/[^/]+/deactivate"
        + "|v1/orders|v1/orders/[^/]+|v1/orders/[^/]+/cancel|v1/orders/[^/]+/ship|v1/orders/[^/]+/refunds|v1/orders/[^/]+/refunds/[^/]+"
        + "|v1/admin/dead-letters/[^/]+|v1/admin/dead-letters/[^/]+/replay|v1/admin/audit"
        + "|v1/payments/stripe/webhook"
        + "|v1/operator/tenants/[^/]+"
        + "|v1/admin/webhooks|v1/admin/webhooks/[^/]+|v1/admin/webhooks/[^/]+/rotate-secret|v1/admin/webhooks/[^/]+/enable"
        + "|v1/customers/me/data|v1/admin/customers/[^/]+/data|v1/admin/customers/[^/]+/erase";
}
