import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AppError } from '../domain/errors';

/** The SMS or email provider refused or failed; retryable (Step Functions Retry matches the name). */
export class ProviderUnavailable extends AppError {
  constructor(provider: string, reason: string) {
    super(`${provider} unavailable: ${reason}`, 503, false);
  }
}

/** Delivers one message to one destination. */
export interface MessageSender {
  send(to: string, message: { subject: string; body: string }): Promise<string>;
}

function providerError(provider: string, err: unknown): never {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  throw new ProviderUnavailable(provider, `${e.name ?? 'Error'} ${e.$metadata?.httpStatusCode ?? ''}`.trim());
}

/** SMS through Amazon SNS (transactional SMS with the configured sender id). */
export class SnsSmsSender implements MessageSender {
  constructor(
    private readonly senderId: string,
    private readonly client: SNSClient = new SNSClient({}),
  ) {}

  async send(to: string, message: { body: string }): Promise<string> {
    try {
      const out = await this.client.send(
        new PublishCommand({
          PhoneNumber: to,
          Message: message.body,
          MessageAttributes: {
            'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
            'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: this.senderId },
          },
        }),
      );
      return out.MessageId ?? '';
    } catch (err) {
      return providerError('SMS', err);
    }
  }
}

/** Email through Amazon SES v2. */
export class SesEmailSender implements MessageSender {
  constructor(
    private readonly from: string,
    private readonly client: SESv2Client = new SESv2Client({}),
  ) {}

  async send(to: string, message: { subject: string; body: string }): Promise<string> {
    try {
      const out = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: this.from,
          Destination: { ToAddresses: [to] },
          Content: { Simple: { Subject: { Data: message.subject }, Body: { Text: { Data: message.body } } } },
        }),
      );
      return out.MessageId ?? '';
    } catch (err) {
      return providerError('EMAIL', err);
    }
  }
}
