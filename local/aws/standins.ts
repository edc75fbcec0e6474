/**
 * local/aws: stand-ins for the AWS services the functions use. dynalite for DynamoDB (`dynamodb.ts`,
 * in its own process), SQS with its event source mapping (`queue.ts`: batches, partial failures, DLQ
 * after `maxReceiveCount`), Step Functions running the template's state machines (`step-functions.ts`),
 * and, on the loopback endpoint in this file, Step Functions, SNS, SES v2, Secrets Manager and KMS.
 * Strict about the wire: the functions' real AWS SDK clients talk to them unchanged, in each service's
 * own protocol and error shapes; KMS refuses another encryption context, Secrets Manager keeps AWS's
 * version stages. Messages to cardholders land in an outbox (their phone and mailbox).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { keepIdleConnectionsOpen } from '../gateway/http-keep-alive';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { LocalStepFunctions } from './step-functions';
import { SfnError } from './step-functions';
import { KmsError, LocalKms } from './kms';
import { LocalSecretsManager, SecretsManagerError } from './secrets-manager';

/** One message "delivered" to a cardholder: the local stand-in for a phone or a mailbox. */
export interface OutboxMessage {
  at: string;
  channel: 'SMS' | 'EMAIL';
  to: string;
  subject?: string;
  body: string;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, payload: unknown, type = 'application/x-amz-json-1.0') {
  res.writeHead(status, { 'content-type': type });
  res.end(JSON.stringify(payload));
}

/**
 * Loopback stand-ins for the AWS services the workflow calls, speaking their wire protocols so the
 * real SDK clients are used: Step Functions (JSON 1.0), SNS Publish (query/XML), SES v2 SendEmail
 * (REST JSON), Secrets Manager and KMS Encrypt/Decrypt (JSON 1.1). Delivered messages go to an outbox (memory + optional
 * JSONL file). Faults can be injected per channel.
 */
export class LocalAwsStandins {
  private server?: Server;
  url = '';
  readonly outbox: OutboxMessage[] = [];
  /** Fail the next N SMS sends with a throttling error (provider outage simulation). */
  failNextSms = 0;
  /** Fail every SMS send while true. */
  smsOutage = false;
  sfn?: LocalStepFunctions;
  readonly secretsManager: LocalSecretsManager;
  readonly kms = new LocalKms();

  constructor(
    private readonly outboxFile?: string,
    secretsFile?: string,
  ) {
    this.secretsManager = new LocalSecretsManager(secretsFile);
  }

  async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => json(res, 500, { message: String(err) }));
    });
    keepIdleConnectionsOpen(this.server);
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private deliver(message: OutboxMessage) {
    this.outbox.push(message);
    if (this.outboxFile) {
      // Codes and phone numbers: the owner's only, like the rest of the local state (0600 in a 0700 dir).
      mkdirSync(path.dirname(this.outboxFile), { recursive: true, mode: 0o700 });
      appendFileSync(this.outboxFile, `${JSON.stringify(message)}\n`, { mode: 0o600 });
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const text = await body(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    if (target.startsWith('AWSStepFunctions.')) {
      if (!this.sfn) return json(res, 400, { __type: 'UnknownOperationException', message: 'no local Step Functions' });
      try {
        return json(res, 200, this.sfn.handle(target.split('.')[1] ?? '', JSON.parse(text || '{}')));
      } catch (err) {
        if (err instanceof SfnError) return json(res, 400, { __type: err.type, message: err.message });
        throw err;
      }
    }
    if (target.startsWith('TrentService.')) {
      try {
        return json(
          res,
          200,
          this.kms.handle(target.split('.')[1] ?? '', JSON.parse(text || '{}')),
          'application/x-amz-json-1.1',
        );
      } catch (err) {
        if (err instanceof KmsError)
          return json(res, err.status, { __type: err.type, message: err.message }, 'application/x-amz-json-1.1');
        throw err;
      }
    }
    if (target.startsWith('secretsmanager.')) {
      try {
        return json(
          res,
          200,
          await this.secretsManager.handle(target.split('.')[1] ?? '', JSON.parse(text || '{}')),
          'application/x-amz-json-1.1',
        );
      } catch (err) {
        if (err instanceof SecretsManagerError)
          return json(res, err.status, { __type: err.type, message: err.message }, 'application/x-amz-json-1.1');
        throw err;
      }
    }
    if (req.url === '/v2/email/outbound-emails') {
      const mail = JSON.parse(text) as {
        Destination: { ToAddresses: string[] };
        Content: { Simple: { Subject: { Data: string }; Body: { Text: { Data: string } } } };
      };
      for (const to of mail.Destination.ToAddresses) {
        this.deliver({
          at: new Date().toISOString(),
          channel: 'EMAIL',
          to,
          subject: mail.Content.Simple.Subject.Data,
          body: mail.Content.Simple.Body.Text.Data,
        });
      }
      return json(res, 200, { MessageId: `local-${this.outbox.length}` }, 'application/json');
    }
    const form = new URLSearchParams(text);
    if (form.get('Action') === 'Publish') {
      if (this.smsOutage || this.failNextSms > 0) {
        if (this.failNextSms > 0) this.failNextSms--;
        res.writeHead(400, { 'content-type': 'text/xml' });
        return res.end(
          '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>local</RequestId></ErrorResponse>',
        );
      }
      this.deliver({
        at: new Date().toISOString(),
        channel: 'SMS',
        to: form.get('PhoneNumber') ?? '',
        body: form.get('Message') ?? '',
      });
      res.writeHead(200, { 'content-type': 'text/xml' });
      return res.end(
        `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>local-${this.outbox.length}</MessageId></PublishResult><ResponseMetadata><RequestId>local</RequestId></ResponseMetadata></PublishResponse>`,
      );
    }
    json(res, 404, { message: `no local stand-in for ${req.method} ${req.url}` }, 'application/json');
  }
}
