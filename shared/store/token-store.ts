import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { GSI } from '../config';
import type { TokenEvent } from '../domain/token-event';
import type { TokenState } from '../domain/token-state';
import type { TokenStatus } from '../domain/token-status';

/** A token state with the version used for optimistic concurrency. */
export interface VersionedTokenState {
  state: TokenState;
  version: number;
}

/** One timeline entry as stored: the normalised event plus the redacted envelope. */
export interface TimelineEntry {
  eventId: string;
  eventType: string;
  occurredAt: string;
  callMethod: string;
  recognized: boolean;
  status?: TokenStatus;
  facts: TokenEvent['facts'];
  /** Redacted Pismo envelope as JSON text. */
  payload: string;
  receivedAt: string;
}

/** One page of a query, with an opaque cursor for the next page. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** Where a timeline hangs: the token, or the card for events without a token (refusals). */
export type TimelineOwner = { tokenId: string } | { cardId: string };

/** Where a decision is recorded: its token, its card, or (unattributable requests) the day. */
export type DecisionOwner = TimelineOwner | { invalidOn: string };

/** One recorded tokenization decision (DESIGN.md §4 Decision item). Never holds card data. */
export interface DecisionRecord {
  decisionId: string;
  decidedAt: string;
  /** Wire decision returned to Pismo. */
  decision: string;
  reasonCodes: string[];
  ruleSetVersion?: string;
  firedRules: { id: string; outcome: string; reasonCode: string }[];
  signals?: Record<string, unknown>;
  shadow?: { ruleSetVersion: string; decision: string; reasonCodes: string[]; firedRules: { id: string }[] };
  callMethod?: string;
  network?: string;
  cardId?: string;
  latencyMs: number;
  storeFailure?: string;
  details?: string[];
}

/** Thrown when a conditional state write lost a race; the caller re-reads and retries. */
export class VersionConflict extends Error {
  override readonly name = 'VersionConflict';
}

/** The token store port: the only code that knows item keys is its DynamoDB adapter below. */
export interface TokenStore {
  getTokenState(tokenId: string): Promise<VersionedTokenState | undefined>;
  /** Writes the state if the stored version is still `expectedVersion` (undefined: must not exist). */
  putTokenState(state: TokenState, expectedVersion: number | undefined): Promise<void>;
  /** Adds a timeline entry; false when the same event is already there (a duplicate). */
  addTimelineEntry(owner: TimelineOwner, entry: TimelineEntry): Promise<boolean>;
  listTimeline(owner: TimelineOwner, limit: number, cursor?: string): Promise<Page<TimelineEntry>>;
  listTokensOfCard(cardId: string, limit: number, cursor?: string): Promise<Page<TokenState>>;
  putDecision(owner: DecisionOwner, record: DecisionRecord): Promise<void>;
  listDecisions(owner: TimelineOwner, limit: number): Promise<DecisionRecord[]>;
}

const pk = (owner: DecisionOwner) =>
  'tokenId' in owner
    ? `TOKEN#${owner.tokenId}`
    : 'cardId' in owner
      ? `CARD#${owner.cardId}`
      : `DECISIONS#INVALID#${owner.invalidOn}`;
const DECISION_PREFIX = 'DECISION#';
const STATE_SK = 'STATE';
const EVENT_PREFIX = 'EVENT#';

function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new InvalidCursorError();
}

/** A pagination cursor that we did not issue. */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}

function toState(item: Record<string, unknown>): VersionedTokenState {
  const { PK, SK, GSI1PK, GSI1SK, GSI2PK, GSI2SK, version, updatedAt, ...rest } = item;
  return { state: rest as unknown as TokenState, version: Number(version) };
}

function toEntry(item: Record<string, unknown>): TimelineEntry {
  const { PK, SK, ...rest } = item;
  return rest as unknown as TimelineEntry;
}

/** DynamoDB adapter of {@link TokenStore}: single-item conditional writes only (no transactions). */
export class DynamoTokenStore implements TokenStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async getTokenState(tokenId: string): Promise<VersionedTokenState | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { PK: pk({ tokenId }), SK: STATE_SK }, ConsistentRead: true }),
    );
    return out.Item ? toState(out.Item) : undefined;
  }

  async putTokenState(state: TokenState, expectedVersion: number | undefined): Promise<void> {
    const tur = state.facts.tokenUniqueReference;
    const item: Record<string, unknown> = {
      PK: pk({ tokenId: state.tokenId }),
      SK: STATE_SK,
      ...state,
      version: (expectedVersion ?? 0) + 1,
      updatedAt: new Date().toISOString(),
    };
    if (state.facts.cardId) {
      item.GSI1PK = `CARD#${state.facts.cardId}`;
      item.GSI1SK = `TOKEN#${state.tokenId}`;
    }
    if (tur) {
      item.GSI2PK = `TUR#${tur}`;
      item.GSI2SK = `TOKEN#${state.tokenId}`;
    }
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: expectedVersion === undefined ? 'attribute_not_exists(PK)' : 'version = :v',
          ExpressionAttributeValues: expectedVersion === undefined ? undefined : { ':v': expectedVersion },
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw new VersionConflict(`token ${state.tokenId} changed`);
      throw err;
    }
  }

  async addTimelineEntry(owner: TimelineOwner, entry: TimelineEntry): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { PK: pk(owner), SK: `${EVENT_PREFIX}${entry.occurredAt}#${entry.eventId}`, ...entry },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async listTimeline(owner: TimelineOwner, limit: number, cursor?: string): Promise<Page<TimelineEntry>> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
        ExpressionAttributeValues: { ':pk': pk(owner), ':sk': EVENT_PREFIX },
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor),
      }),
    );
    return { items: (out.Items ?? []).map(toEntry), nextCursor: encodeCursor(out.LastEvaluatedKey) };
  }

  async listTokensOfCard(cardId: string, limit: number, cursor?: string): Promise<Page<TokenState>> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: GSI.byCard,
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': `CARD#${cardId}` },
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor),
      }),
    );
    return { items: (out.Items ?? []).map((i) => toState(i).state), nextCursor: encodeCursor(out.LastEvaluatedKey) };
  }

  async putDecision(owner: DecisionOwner, record: DecisionRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { PK: pk(owner), SK: `${DECISION_PREFIX}${record.decidedAt}#${record.decisionId}`, ...record },
      }),
    );
  }

  async listDecisions(owner: TimelineOwner, limit: number): Promise<DecisionRecord[]> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
        ExpressionAttributeValues: { ':pk': pk(owner), ':sk': DECISION_PREFIX },
        Limit: limit,
        ScanIndexForward: false,
      }),
    );
    return (out.Items ?? []).map(({ PK, SK, ...rest }) => rest as unknown as DecisionRecord);
  }
}
