import type * as SesSdk from '@aws-sdk/client-sesv2';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type * as SnsSdk from '@aws-sdk/client-sns';
import type { SNSClient } from '@aws-sdk/client-sns';
import { AppError } from '../../domain/errors';
import { traced } from '../observability/tracer';

/** The SMS or email provider refused or failed; retryable (Step Functions Retry matches the name). */
export class ProviderUnavailable extends AppError {
  constructor(provider: string, reason: string) {
    super(`${provider} unavailable: ${reason}`, 'unavailable');
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

/**
 * SMS through Amazon SNS (transactional SMS with the configured sender id). SDK clients here load on
 * first send, so steps that never send do not pay for them at cold start.
 */
export class SnsSmsSender implements MessageSender {
  private sdk?: Promise<{ client: SNSClient; mod: typeof SnsSdk }>;

  constructor(
    private readonly senderId: string,
    private readonly client?: SNSClient,
  ) {}

  async send(to: string, message: { body: string }): Promise<string> {
    this.sdk ??= import('@aws-sdk/client-sns').then((mod) => ({
      mod,
      client: this.client ?? traced(new mod.SNSClient({})),
    }));
    const { client, mod } = await this.sdk;
    try {
      const out = await client.send(
        new mod.PublishCommand({
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
  private sdk?: Promise<{ client: SESv2Client; mod: typeof SesSdk }>;

  constructor(
    private readonly from: string,
    private readonly client?: SESv2Client,
  ) {}

  async send(to: string, message: { subject: string; body: string }): Promise<string> {
    this.sdk ??= import('@aws-sdk/client-sesv2').then((mod) => ({
      mod,
      client: this.client ?? traced(new mod.SESv2Client({})),
    }));
    const { client, mod } = await this.sdk;
    try {
      const out = await client.send(
        new mod.SendEmailCommand({
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
