import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type {
  RateLimitPort,
  RequestClaim,
  RequestGuardPort,
  RequestKey,
  RequestOutcome,
} from '../../domain/request-guards';
import { traced } from '../observability/tracer';
import { conditionalUpdate, putIfAbsent } from './conditional-write';
import { sanitiseEveryRequest } from './sanitising-client';

/** The claim of one request id: in the account's partition, removed by the table's TTL (`expiresAt`). */
export const requestClaimKey = (k: RequestKey) => ({
  PK: `CARDHOLDER#${k.accountId}`,
  SK: `REQUEST#${k.scope}#${k.requestId}`,
});
/** The counter of one account, scope and window (its start, epoch s). */
export const rateWindowKey = (accountId: string, scope: string, windowStart: number) => ({
  PK: `CARDHOLDER#${accountId}`,
  SK: `RATE#${scope}#${windowStart}`,
});

/**
 * DynamoDB adapter of {@link RequestGuardPort} and {@link RateLimitPort}: single-item conditional
 * writes (a conditional put claims an id, an expired claim counts as free; a conditional `ADD`
 * counts an attempt while under the limit). Every request passes the one sanitiser.
 */
export class DynamoRequestGuards implements RequestGuardPort, RateLimitPort {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly tableName: string,
    client: DynamoDBClient = traced(new DynamoDBClient({})),
  ) {
    this.doc = sanitiseEveryRequest(
      DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    );
  }

  async claimRequest(key: RequestKey, expiresAt: number): Promise<RequestClaim> {
    const claimed = await putIfAbsent(
      this.doc,
      this.tableName,
      { ...requestClaimKey(key), expiresAt, claimedAt: new Date().toISOString() },
      { orIf: 'expiresAt < :now', values: { ':now': Math.floor(Date.now() / 1000) } },
    );
    if (claimed) return { first: true };
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: requestClaimKey(key), ConsistentRead: true }),
    );
    const raw: unknown = out.Item?.outcome;
    return { first: false, outcome: typeof raw === 'string' ? (JSON.parse(raw) as RequestOutcome) : undefined };
  }

  async recordOutcome(key: RequestKey, outcome: RequestOutcome): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: requestClaimKey(key),
        UpdateExpression: 'SET outcome = :o',
        ExpressionAttributeValues: { ':o': JSON.stringify(outcome) },
      }),
    );
  }

  async releaseRequest(key: RequestKey): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: requestClaimKey(key) }));
  }

  async takeRateLimit(
    accountId: string,
    scope: string,
    limit: number,
    windowSeconds: number,
    now: Date,
  ): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }> {
    const nowS = Math.floor(now.getTime() / 1000);
    const windowStart = nowS - (nowS % windowSeconds);
    const counted = await conditionalUpdate(this.doc, {
      TableName: this.tableName,
      Key: rateWindowKey(accountId, scope, windowStart),
      UpdateExpression: 'ADD attempts :one SET expiresAt = if_not_exists(expiresAt, :exp)',
      ConditionExpression: 'attribute_not_exists(attempts) OR attempts < :limit',
      ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':exp': windowStart + windowSeconds * 2 },
    });
    return counted
      ? { allowed: true }
      : { allowed: false, retryAfterSeconds: Math.max(1, windowStart + windowSeconds - nowS) };
  }
}
