import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ReplayMemory } from '../../domain/store';
import { traced } from '../observability/tracer';
import { putIfAbsent } from './conditional-write';
import { sanitiseEveryRequest } from './sanitising-client';

/** The item key of a claimed token id: one item per token, removed by the table's TTL (`expiresAt`). */
export const replayItemKey = (replayKey: string) => ({ PK: `JTI#${replayKey}`, SK: 'JTI' });

/**
 * DynamoDB adapter of {@link ReplayMemory}: a conditional put (an expired claim DynamoDB's TTL has not
 * yet removed counts as free), the answer as JSON text on the same item. Every call takes an
 * AbortSignal so a timed-out call is cancelled rather than left running behind the caller's back.
 */
export class DynamoReplayMemory<Answer> implements ReplayMemory<Answer> {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly tableName: string,
    client: DynamoDBClient = traced(new DynamoDBClient({})),
  ) {
    // The stored first answer passes the one sanitiser like every other item (docs/security/data-at-rest.md).
    this.doc = sanitiseEveryRequest(DynamoDBDocumentClient.from(client));
  }

  async claim(replayKey: string, acceptedUntil: number, signal?: AbortSignal): Promise<'first' | 'replay'> {
    const claimed = await putIfAbsent(
      this.doc,
      this.tableName,
      { ...replayItemKey(replayKey), expiresAt: acceptedUntil },
      { orIf: 'expiresAt < :now', values: { ':now': Math.floor(Date.now() / 1000) }, abortSignal: signal },
    );
    return claimed ? 'first' : 'replay';
  }

  async saveAnswer(replayKey: string, acceptedUntil: number, answer: Answer, signal?: AbortSignal): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: replayItemKey(replayKey),
        UpdateExpression: 'SET answer = :a, expiresAt = if_not_exists(expiresAt, :e)',
        ExpressionAttributeValues: { ':a': JSON.stringify(answer), ':e': acceptedUntil },
      }),
      { abortSignal: signal },
    );
  }

  async firstAnswer(replayKey: string, signal?: AbortSignal): Promise<Answer | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: replayItemKey(replayKey), ConsistentRead: true }),
      { abortSignal: signal },
    );
    const answer: unknown = out.Item?.answer;
    return typeof answer === 'string' ? (JSON.parse(answer) as Answer) : undefined;
  }
}
