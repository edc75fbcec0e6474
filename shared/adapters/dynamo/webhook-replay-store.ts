import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { traced } from '../observability/tracer';
import { sanitiseEveryRequest } from './sanitising-client';

/**
 * Replay memory of Pismo's webhook tokens: each token id (`jti`, hashed by the verifier) is claimed
 * once for as long as the token is acceptable, and the answer given to the first call is kept with it
 * so a replay gets that answer instead of a second decision.
 */
export interface ReplayMemory<Answer> {
  /** Claims the token id until `acceptedUntil` (epoch s): 'first' the first time, 'replay' afterwards. */
  claim(replayKey: string, acceptedUntil: number, signal?: AbortSignal): Promise<'first' | 'replay'>;
  /** Keeps the answer given to the call that claimed the id (creates the claim if it was lost). */
  saveAnswer(replayKey: string, acceptedUntil: number, answer: Answer, signal?: AbortSignal): Promise<void>;
  /** The answer given to the first call; undefined while that call is still deciding (or never saved it). */
  firstAnswer(replayKey: string, signal?: AbortSignal): Promise<Answer | undefined>;
}

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
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...replayItemKey(replayKey), expiresAt: acceptedUntil },
          ConditionExpression: 'attribute_not_exists(PK) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': Math.floor(Date.now() / 1000) },
        }),
        { abortSignal: signal },
      );
      return 'first';
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return 'replay';
      throw err;
    }
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
