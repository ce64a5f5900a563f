using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ServerlessBackend.Functions.Features.Email;

public static class EmailServiceCollectionExtensions
{
    /// <summary>The SMTP relay settings, the sender, the notification log and the email handler.</summary>
    public static IServiceCollection AddEmail(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<EmailOptions>()
            .Bind(configuration.GetSection(EmailOptions.Section))
            .Validate(o => !string.IsNullOrWhiteSpace(o.SmtpHost) && !string.IsNullOrWhiteSpace(o.FromAddress) && o.SmtpPort is > 0 and < 65536,
                "Email__SmtpHost, Email__SmtpPort and Email__FromAddress must be set.");
        services.AddSingleton<IEmailSender, SmtpEmailSender>();
        services.AddSingleton<INotificationLog, CosmosNotificationLog>();
        services.AddSingleton<SendOrderEmailHandler>();
        return services;
    }
}
