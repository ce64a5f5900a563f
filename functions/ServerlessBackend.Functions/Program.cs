using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using ServerlessBackend.Functions.Features.Email;
using ServerlessBackend.Functions.Shared.Hosting;
using ServerlessBackend.Functions.Shared.Messaging;

var builder = FunctionsApplication.CreateBuilder(args);

builder.ConfigureFunctionsWebApplication();
builder.Services.AddServerlessBackendHosting(builder.Configuration);
builder.Services.AddMessaging(builder.Configuration);
builder.Services.AddEmail(builder.Configuration);

builder.Build().Run();
