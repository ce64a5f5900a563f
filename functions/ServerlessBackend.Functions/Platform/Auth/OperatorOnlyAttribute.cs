namespace ServerlessBackend.Functions.Platform.Auth;

/// <summary>
/// The methods of an HTTP function only a platform operator may call: a token with the <c>operator</c> app role issued by the
/// operator's own directory (<see cref="AuthOptions.OperatorDirectoryId"/>). The role alone is not enough: in a B2B
/// deployment each customer directory's admin can assign the app's roles to its own users. Such a route is about
/// tenants, not within one, so the caller's tenant need not be onboarded. Other methods (OPTIONS, a method the route does
/// not serve) need a valid token of an onboarded tenant, like on every route.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OperatorOnlyAttribute(params string[] methods) : MethodsAttribute(methods);
