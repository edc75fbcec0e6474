import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { GSI } from '../../config';
import { traced } from '../observability/tracer';
import type { Challenge, ChallengeStatus } from '../../domain/challenge';
import type { TokenEvent } from '../../domain/token-event';
import type { TokenState } from '../../domain/token-state';
import type { TokenStatus } from '../../domain/token-status';
import { sanitiseText } from '../../domain/sanitise';
import { CursorCodec, type CursorKeySource, type CursorQuery, processCursorKey } from './cursor';
import { sanitiseEveryRequest } from './sanitising-client';

export { InvalidCursorError } from './cursor';

/** A token state with the version used for optimistic concurrency. */
export interface VersionedTokenState {
  state: TokenState;
  version: number;
}

/** One timeline entry as stored: the normalised event plus the redacted envelope. */
export interface TimelineEntry {
  eventId: string;
  eventType: string;
  /** Pismo's schema version of the event, when it said one. */
  schemaVersion?: string;
  occurredAt: string;
  callMethod: string;
  recognized: boolean;
  status?: TokenStatus;
  facts: TokenEvent['facts'];
  /** Paths of fields we did not know (kept in `payload`, redacted like the rest). */
  unknownFields?: string[];
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

/** One recorded tokenization decision (docs/security/data-at-rest.md, stored items). Never holds card data. */
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

/**
 * Where an audit record hangs: the token, its TUR when the token is not (yet) in our store, or the
 * day for calls that concern no token (a search that found nothing).
 */
export type AuditOwner = { tokenId: string } | { tur: string } | { day: string };

/** One Customer Service action (docs/security/data-at-rest.md, stored items): who, what, on which token, and the outcome. */
export interface AuditRecord {
  auditId: string;
  at: string;
  operation: string;
  customerId: string;
  tokenId?: string;
  tokenUniqueReference?: string;
  userId: string;
  userName: string;
  /**
   * PENDING: written before MDES is called; DONE: MDES did it; REFUSED: a rule forbade it (MDES not
   * called) or MDES refused it; FAILED: MDES unavailable or an internal error.
   */
  outcome: 'PENDING' | 'DONE' | 'REFUSED' | 'FAILED';
  httpStatus: number;
  reason?: string;
  /** Non-card request parameters (reason code, comment); never a PAN. */
  parameters?: Record<string, string>;
  mdesStatusBefore?: string;
  mdesReason?: string;
  latencyMs: number;
}

/** Thrown when a conditional state write lost a race; the caller re-reads and retries. */
export class VersionConflict extends Error {
  override readonly name = 'VersionConflict';
}

/** What a challenge update may change (never its identity, never the code: that is only removed). */
export type ChallengeChanges = Partial<Omit<Challenge, 'challengeId' | 'tokenId' | 'sealedOtp'>>;

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
  /** Adds a challenge; false when it already exists (a duplicate event). */
  putChallenge(challenge: Challenge): Promise<boolean>;
  getChallenge(tokenId: string, challengeId: string): Promise<Challenge | undefined>;
  listChallenges(tokenId: string): Promise<Challenge[]>;
  /**
   * Changes a challenge if its status is one of `from`; `removeOtp` deletes the code in the same
   * write. Returns the updated challenge, or undefined when the status did not allow it.
   */
  updateChallenge(
    tokenId: string,
    challengeId: string,
    from: readonly ChallengeStatus[],
    changes: ChallengeChanges,
    removeOtp?: boolean,
  ): Promise<Challenge | undefined>;
  /** Records the waiting workflow's task token on the token; returns the token state after it. */
  registerActivationWait(
    tokenId: string,
    wait: { challengeId: string; taskToken: string },
  ): Promise<TokenState | undefined>;
  listDecisions(owner: TimelineOwner, limit: number): Promise<DecisionRecord[]>;
  /** The token id whose state carries this Token Unique Reference (GSI2), if any. */
  findTokenIdByTur(tur: string): Promise<string | undefined>;
  /** Every token id whose state carries this TUR (at most `limit`); more than one is a collision. */
  findTokenIdsByTur(tur: string, limit?: number): Promise<string[]>;
  putAudit(owner: AuditOwner, record: AuditRecord): Promise<void>;
  /** Newest first. */
  listAudit(owner: AuditOwner, limit: number): Promise<AuditRecord[]>;
}

const pk = (owner: DecisionOwner | AuditOwner) =>
  'tokenId' in owner
    ? `TOKEN#${owner.tokenId}`
    : 'cardId' in owner
      ? `CARD#${owner.cardId}`
      : 'tur' in owner
        ? `TUR#${owner.tur}`
        : 'day' in owner
          ? `AUDIT#DAY#${owner.day}`
          : `DECISIONS#INVALID#${owner.invalidOn}`;
const AUDIT_PREFIX = 'AUDIT#';
const DECISION_PREFIX = 'DECISION#';
const CHALLENGE_PREFIX = 'CHALLENGE#';
const STATE_SK = 'STATE';
const EVENT_PREFIX = 'EVENT#';

/** The cursor of a query on one partition's items whose sort key starts with `prefix`. */
function partitionQuery(partition: string, prefix: string): CursorQuery {
  // Items are written with sanitised keys: compare with the key as it was stored.
  const PK = sanitiseText(partition);
  return { scope: `table|${PK}|${prefix}`, attributes: ['PK', 'SK'], partition: { PK }, prefixes: { SK: prefix } };
}

function toState(item: Record<string, unknown>): VersionedTokenState {
  const { PK, SK, GSI1PK, GSI1SK, GSI2PK, GSI2SK, version, updatedAt, ...rest } = item;
  return { state: rest as unknown as TokenState, version: Number(version) };
}

/** DynamoDB adapter of {@link TokenStore}: single-item conditional writes only (no transactions). */
export class DynamoTokenStore implements TokenStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly cursors: CursorCodec;

  /** `options.cursorKey`: the deployment's cursor key (default: a random key for this instance, for tests). */
  constructor(
    private readonly tableName: string,
    client: DynamoDBClient = traced(new DynamoDBClient({})),
    options: { cursorKey?: CursorKeySource } = {},
  ) {
    // Every request this adapter sends passes the one sanitiser (items, keys, values): docs/security/data-at-rest.md.
    this.doc = sanitiseEveryRequest(
      DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    );
    this.cursors = new CursorCodec(options.cursorKey ?? processCursorKey);
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

  /** One page of a partition's items whose sort key starts with `prefix`, keys stripped. */
  private async queryPrefix(
    owner: TimelineOwner | AuditOwner,
    prefix: string,
    options: { limit?: number; cursor?: string; newestFirst?: boolean } = {},
  ): Promise<Page<Record<string, unknown>>> {
    const query = partitionQuery(pk(owner), prefix);
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
        ExpressionAttributeValues: { ':pk': pk(owner), ':sk': prefix },
        Limit: options.limit,
        ExclusiveStartKey: await this.cursors.decode(options.cursor, query),
        ScanIndexForward: options.newestFirst ? false : undefined,
      }),
    );
    const items = (out.Items ?? []).map(({ PK, SK, ...rest }) => rest);
    return { items, nextCursor: await this.cursors.encode(out.LastEvaluatedKey, query) };
  }

  async listTimeline(owner: TimelineOwner, limit: number, cursor?: string): Promise<Page<TimelineEntry>> {
    const page = await this.queryPrefix(owner, EVENT_PREFIX, { limit, cursor });
    return { items: page.items as unknown as TimelineEntry[], nextCursor: page.nextCursor };
  }

  async listTokensOfCard(cardId: string, limit: number, cursor?: string): Promise<Page<TokenState>> {
    const GSI1PK = sanitiseText(`CARD#${cardId}`);
    const query: CursorQuery = {
      scope: `${GSI.byCard}|${GSI1PK}`,
      attributes: ['GSI1PK', 'GSI1SK', 'PK', 'SK'],
      partition: { GSI1PK, SK: STATE_SK },
      prefixes: { GSI1SK: 'TOKEN#', PK: 'TOKEN#' },
    };
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: GSI.byCard,
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': `CARD#${cardId}` },
        Limit: limit,
        ExclusiveStartKey: await this.cursors.decode(cursor, query),
      }),
    );
    return {
      items: (out.Items ?? []).map((i) => toState(i).state),
      nextCursor: await this.cursors.encode(out.LastEvaluatedKey, query),
    };
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
    const page = await this.queryPrefix(owner, DECISION_PREFIX, { limit, newestFirst: true });
    return page.items as unknown as DecisionRecord[];
  }

  async putChallenge(challenge: Challenge): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            PK: pk({ tokenId: challenge.tokenId }),
            SK: `${CHALLENGE_PREFIX}${challenge.challengeId}`,
            ...challenge,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async getChallenge(tokenId: string, challengeId: string): Promise<Challenge | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: pk({ tokenId }), SK: `${CHALLENGE_PREFIX}${challengeId}` },
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return undefined;
    const { PK, SK, ...rest } = out.Item;
    return rest as Challenge;
  }

  async listChallenges(tokenId: string): Promise<Challenge[]> {
    const page = await this.queryPrefix({ tokenId }, CHALLENGE_PREFIX);
    return page.items as unknown as Challenge[];
  }

  async updateChallenge(
    tokenId: string,
    challengeId: string,
    from: readonly ChallengeStatus[],
    changes: ChallengeChanges,
    removeOtp = false,
  ): Promise<Challenge | undefined> {
    const entries = Object.entries(changes).filter(([, v]) => v !== undefined);
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {};
    from.forEach((s, i) => {
      values[`:from${i}`] = s;
    });
    const sets = entries.map(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
      return `#f${i} = :v${i}`;
    });
    const update = [sets.length ? `SET ${sets.join(', ')}` : '', removeOtp ? 'REMOVE sealedOtp' : '']
      .filter(Boolean)
      .join(' ');
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: pk({ tokenId }), SK: `${CHALLENGE_PREFIX}${challengeId}` },
          UpdateExpression: update,
          ConditionExpression: `attribute_exists(PK) AND #status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      const { PK, SK, ...rest } = out.Attributes ?? {};
      return rest as Challenge;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return undefined;
      throw err;
    }
  }

  async registerActivationWait(
    tokenId: string,
    wait: { challengeId: string; taskToken: string },
  ): Promise<TokenState | undefined> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: pk({ tokenId }), SK: STATE_SK },
          // Bumping the version makes a concurrent event merge re-read instead of overwriting this.
          UpdateExpression: 'SET activationWait = :w, version = version + :one',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':w': wait, ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? toState(out.Attributes).state : undefined;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return undefined;
      throw err;
    }
  }

  async findTokenIdByTur(tur: string): Promise<string | undefined> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: GSI.byTokenUniqueReference,
        KeyConditionExpression: 'GSI2PK = :pk',
        ExpressionAttributeValues: { ':pk': `TUR#${tur}` },
        Limit: 1,
      }),
    );
    const sk = out.Items?.[0]?.GSI2SK;
    return typeof sk === 'string' ? sk.replace(/^TOKEN#/, '') : undefined;
  }

  async findTokenIdsByTur(tur: string, limit = 10): Promise<string[]> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: GSI.byTokenUniqueReference,
        KeyConditionExpression: 'GSI2PK = :pk',
        ExpressionAttributeValues: { ':pk': `TUR#${tur}` },
        Limit: limit,
      }),
    );
    return (out.Items ?? [])
      .map((i) => i.GSI2SK)
      .filter((sk): sk is string => typeof sk === 'string')
      .map((sk) => sk.replace(/^TOKEN#/, ''));
  }

  async putAudit(owner: AuditOwner, record: AuditRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        // PENDING first, then the outcome over it (same key).
        Item: { PK: pk(owner), SK: `${AUDIT_PREFIX}${record.at}#${record.auditId}`, ...record },
      }),
    );
  }

  async listAudit(owner: AuditOwner, limit: number): Promise<AuditRecord[]> {
    const page = await this.queryPrefix(owner, AUDIT_PREFIX, { limit, newestFirst: true });
    return page.items as unknown as AuditRecord[];
  }

  /** Records that a rotated-out Mastercard key was revoked; false when already recorded. */
  async recordKeyRevocation(customerId: string, consumerKey: string): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { PK: `KEYS#${customerId}`, SK: `REVOKED#${consumerKey}`, revokedAt: new Date().toISOString() },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async wasKeyRevoked(customerId: string, consumerKey: string): Promise<boolean> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { PK: `KEYS#${customerId}`, SK: `REVOKED#${consumerKey}` } }),
    );
    return out.Item !== undefined;
  }
}
