using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker.Converters;
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Microsoft.Azure.Functions.Worker;

/// <summary>
/// Declares, as the official converter does, that the host may hand over a <see cref="ServiceBusReceivedMessage"/>
/// as model binding data (the SDK turns that into <c>"supportsDeferredBinding": "True"</c>). It never binds one: a
/// stand-in build has no Service Bus host extension, so nothing could deliver a message to it.
/// </summary>
[SupportsDeferredBinding]
[SupportedTargetType(typeof(ServiceBusReceivedMessage))]
internal sealed class ServiceBusReceivedMessageStandInConverter : IInputConverter
{
    public ValueTask<ConversionResult> ConvertAsync(ConverterContext context) =>
        ValueTask.FromResult(ConversionResult.Failed(new NotSupportedException(
            "This is a UseServiceBusStandIn=true build, for tests only: build without it to run Service Bus functions.")));
}
