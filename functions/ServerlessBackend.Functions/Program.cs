using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using ServerlessBackend.Functions.Features.Catalog;
using ServerlessBackend.Functions.Features.Email;
using ServerlessBackend.Functions.Features.Fulfillment;
using ServerlessBackend.Functions.Features.Operations;
using ServerlessBackend.Functions.Features.Orders;
using ServerlessBackend.Functions.Features.Outbox;
using ServerlessBackend.Functions.Shared.Catalog;
using ServerlessBackend.Functions.Shared.Cosmos;
using ServerlessBackend.Functions.Shared.Hosting;
using ServerlessBackend.Functions.Shared.Http;
using ServerlessBackend.Functions.Shared.Messaging;
using ServerlessBackend.Functions.Shared.Orders;

var builder = FunctionsApplication.CreateBuilder(args);

builder.ConfigureFunctionsWebApplication();
builder.UseHttpApi();
builder.Services.AddServerlessBackendHosting(builder.Configuration);
builder.Services.AddMessaging(builder.Configuration);
builder.Services.AddEmail(builder.Configuration);
builder.Services.AddHttpApi(builder.Configuration, builder.Environment);
builder.Services.AddCosmos(builder.Configuration, builder.Environment);
builder.Services.AddProductStore();
builder.Services.AddOrderDocuments();
builder.Services.AddCatalog();
builder.Services.AddOrders();
builder.Services.AddOutbox();
builder.Services.AddFulfillment();
builder.Services.AddOperations();

builder.Build().Run();
