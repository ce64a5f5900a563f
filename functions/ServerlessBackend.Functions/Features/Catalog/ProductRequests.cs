using System.Text.Json.Serialization;
using ServerlessBackend.Functions.Platform.Http;
using ServerlessBackend.Functions.Shared.Catalog;

namespace ServerlessBackend.Functions.Features.Catalog;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateProductRequest(string? Id, string? Name, string? Description, decimal? Price, string? Currency, int? AvailableStock)
{
    public FieldErrors Validate()
    {
        var errors = new FieldErrors();
        ProductIds.Validate(errors, "id", Id);
        ProductRules.Details(errors, Name, Description, Price, Currency);
        errors.Range("availableStock", AvailableStock, 0, ProductRules.MaxStock);
        return errors;
    }
}

/// <summary>PUT body: the editable details, all given (a missing description clears it). Stock and the active flag have their own routes.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UpdateProductRequest(string? Name, string? Description, decimal? Price, string? Currency)
{
    public FieldErrors Validate()
    {
        var errors = new FieldErrors();
        ProductRules.Details(errors, Name, Description, Price, Currency);
        return errors;
    }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SetStockRequest(int? AvailableStock)
{
    public FieldErrors Validate()
    {
        var errors = new FieldErrors();
        errors.Range("availableStock", AvailableStock, 0, ProductRules.MaxStock);
        return errors;
    }
}
