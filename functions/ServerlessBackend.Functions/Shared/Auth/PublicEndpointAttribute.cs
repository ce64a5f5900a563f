namespace ServerlessBackend.Functions.Shared.Auth;

/// <summary>Marks an HTTP function that needs no bearer token (the health probes; the Stripe webhook, which checks Stripe's signature instead). Everything else does.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PublicEndpointAttribute : Attribute;
