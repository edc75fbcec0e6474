import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { GSI, GSI_BY_ACCOUNT } from '../../config';
import { traced } from '../observability/tracer';
import type { CardPlan, CardState, PolicySuspension, VersionedCardState } from '../../domain/card';
import type { Challenge, ChallengeStatus } from '../../domain/challenge';
import type { TokenState } from '../../domain/token-state';
import { sanitiseText } from '../../domain/sanitise';
import { CursorCodec, type CursorKeySource, type CursorQuery, processCursorKey } from './cursor';
import { conditionalPut, conditionalUpdate, putIfAbsent } from './conditional-write';
import { sanitiseEveryRequest } from './sanitising-client';

export { InvalidCursorError } from './cursor';

import type {
  AuditOwner,
  AuditRecord,
  CardReconciliation,
  ChallengeChanges,
  DecisionOwner,
  DecisionRecord,
  Page,
  ReconciliationFlag,
  ReconciliationRun,
  TimelineEntry,
  TimelineOwner,
  TokenStore,
  VersionedTokenState,
} from '../../domain/store';
import { VersionConflictError } from '../../domain/store';

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
/** Reconciliation items: runs, a run's card results, a card's results (in its CARD# partition), flags. */
const RECON = {
  runs: 'RECONCILIATION#RUNS',
  runPrefix: 'RUN#',
  ofRun: (runId: string) => `RECONCILIATION#RUN#${runId}`,
  cardPrefix: 'CARD#',
  resultPrefix: 'RECONCILIATION#',
  flags: 'RECONCILIATION#FLAGS',
} as const;
const PLAN_PREFIX = 'PLAN#';
const POLICY_SUSPENSION_SK = 'POLICY#SUSPENSION';

/** The cursor of a query on one partition's items whose sort key starts with `prefix`. */
function partitionQuery(partition: string, prefix: string): CursorQuery {
  // Items are written with sanitised keys: compare with the key as it was stored.
  const PK = sanitiseText(partition);
  return { scope: `table|${PK}|${prefix}`, attributes: ['PK', 'SK'], partition: { PK }, prefixes: { SK: prefix } };
}

function toState(item: Record<string, unknown>): VersionedTokenState {
  const { PK, SK, GSI1PK, GSI1SK, GSI2PK, GSI2SK, GSI3PK, GSI3SK, version, updatedAt, ...rest } = item;
  return { state: rest as unknown as TokenState, version: Number(version) };
}

/**
 * DynamoDB adapter of {@link TokenStore} (every aggregate but the webhook replay memory, which is
 * webhook-replay-store.ts): single-item conditional writes only (no transactions). Item keys:
 * `TOKEN#<id>` holds the state (`STATE`), timeline (`EVENT#<at>#<id>`), decisions
 * (`DECISION#<at>#<id>`), challenges (`CHALLENGE#<id>`) and audit (`AUDIT#<at>#<id>`) of a token;
 * `CARD#<id>` also holds the card's state (`STATE`) and the policy's plans (`PLAN#<card event id>`);
 * the policy's suspension mark of a token is `TOKEN#<id>` / `POLICY#SUSPENSION`;
 * `CARD#`, `TUR#`, `AUDIT#DAY#` and `DECISIONS#INVALID#` partitions hold those without a token;
 * `KEYS#<customer>` the revoked keys. Reconciliation: `RECONCILIATION#RUNS` holds the runs
 * (`RUN#<startedAt>#<id>`), `RECONCILIATION#RUN#<id>` a run's card results (`CARD#<card>`), a card's
 * partition its results (`RECONCILIATION#<at>#<run>`), `RECONCILIATION#FLAGS` the flagged cards
 * (`CARD#<card>`). Every key and value passes the sanitiser.
 */
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
    if (state.facts.accountId) {
      item.GSI3PK = `ACCOUNT#${state.facts.accountId}`;
      item.GSI3SK = `TOKEN#${state.tokenId}`;
    }
    const written =
      expectedVersion === undefined
        ? await putIfAbsent(this.doc, this.tableName, item)
        : await conditionalPut(this.doc, {
            TableName: this.tableName,
            Item: item,
            ConditionExpression: 'version = :v',
            ExpressionAttributeValues: { ':v': expectedVersion },
          });
    if (!written) throw new VersionConflictError(`token ${state.tokenId} changed`);
  }

  async addTimelineEntry(owner: TimelineOwner, entry: TimelineEntry): Promise<boolean> {
    return putIfAbsent(this.doc, this.tableName, {
      PK: pk(owner),
      SK: `${EVENT_PREFIX}${entry.occurredAt}#${entry.eventId}`,
      ...entry,
    });
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

  async listTokensOfAccount(accountId: string, limit: number, cursor?: string): Promise<Page<TokenState>> {
    const GSI3PK = sanitiseText(`ACCOUNT#${accountId}`);
    const query: CursorQuery = {
      scope: `${GSI_BY_ACCOUNT}|${GSI3PK}`,
      attributes: ['GSI3PK', 'GSI3SK', 'PK', 'SK'],
      partition: { GSI3PK, SK: STATE_SK },
      prefixes: { GSI3SK: 'TOKEN#', PK: 'TOKEN#' },
    };
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: GSI_BY_ACCOUNT,
        KeyConditionExpression: 'GSI3PK = :pk',
        ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}` },
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
    return putIfAbsent(this.doc, this.tableName, {
      PK: pk({ tokenId: challenge.tokenId }),
      SK: `${CHALLENGE_PREFIX}${challenge.challengeId}`,
      ...challenge,
    });
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
    const after = await conditionalUpdate(this.doc, {
      TableName: this.tableName,
      Key: { PK: pk({ tokenId }), SK: `${CHALLENGE_PREFIX}${challengeId}` },
      UpdateExpression: update,
      ConditionExpression: `attribute_exists(PK) AND #status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
    if (!after) return undefined;
    const { PK, SK, ...rest } = after;
    return rest as unknown as Challenge;
  }

  async registerActivationWait(
    tokenId: string,
    wait: { challengeId: string; taskToken: string },
  ): Promise<TokenState | undefined> {
    const after = await conditionalUpdate(this.doc, {
      TableName: this.tableName,
      Key: { PK: pk({ tokenId }), SK: STATE_SK },
      // Bumping the version makes a concurrent event merge re-read instead of overwriting this.
      UpdateExpression: 'SET activationWait = :w, version = version + :one',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':w': wait, ':one': 1 },
    });
    return after ? toState(after).state : undefined;
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

  async getCardState(cardId: string): Promise<VersionedCardState | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { PK: pk({ cardId }), SK: STATE_SK }, ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    const { PK, SK, version, updatedAt, ...rest } = out.Item;
    return { state: rest as unknown as CardState, version: Number(version) };
  }

  async putCardState(state: CardState, expectedVersion: number | undefined): Promise<void> {
    const item: Record<string, unknown> = {
      PK: pk({ cardId: state.cardId }),
      SK: STATE_SK,
      ...state,
      version: (expectedVersion ?? 0) + 1,
      updatedAt: new Date().toISOString(),
    };
    const written =
      expectedVersion === undefined
        ? await putIfAbsent(this.doc, this.tableName, item)
        : await conditionalPut(this.doc, {
            TableName: this.tableName,
            Item: item,
            ConditionExpression: 'version = :v',
            ExpressionAttributeValues: { ':v': expectedVersion },
          });
    if (!written) throw new VersionConflictError(`card ${state.cardId} changed`);
  }

  async putCardPlan(plan: CardPlan): Promise<boolean> {
    return putIfAbsent(this.doc, this.tableName, {
      PK: pk({ cardId: plan.cardId }),
      SK: `${PLAN_PREFIX}${plan.cardEventId}`,
      ...plan,
    });
  }

  async getCardPlan(cardId: string, cardEventId: string): Promise<CardPlan | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: pk({ cardId }), SK: `${PLAN_PREFIX}${cardEventId}` },
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return undefined;
    const { PK, SK, ...rest } = out.Item;
    return rest as unknown as CardPlan;
  }

  async putPolicySuspension(mark: PolicySuspension): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { PK: pk({ tokenId: mark.tokenId }), SK: POLICY_SUSPENSION_SK, ...mark },
      }),
    );
  }

  async getPolicySuspension(tokenId: string): Promise<PolicySuspension | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: pk({ tokenId }), SK: POLICY_SUSPENSION_SK },
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return undefined;
    const { PK, SK, ...rest } = out.Item;
    return rest as unknown as PolicySuspension;
  }

  async deletePolicySuspension(tokenId: string): Promise<void> {
    await this.doc.send(
      new DeleteCommand({ TableName: this.tableName, Key: { PK: pk({ tokenId }), SK: POLICY_SUSPENSION_SK } }),
    );
  }

  async recordKeyRevocation(customerId: string, consumerKey: string): Promise<boolean> {
    return putIfAbsent(this.doc, this.tableName, {
      PK: `KEYS#${customerId}`,
      SK: `REVOKED#${consumerKey}`,
      revokedAt: new Date().toISOString(),
    });
  }

  async wasKeyRevoked(customerId: string, consumerKey: string): Promise<boolean> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { PK: `KEYS#${customerId}`, SK: `REVOKED#${consumerKey}` } }),
    );
    return out.Item !== undefined;
  }

  // ---- reconciliation ----

  /** One page of a raw partition's items whose sort key starts with `prefix`, keys stripped. */
  private async queryPartition(
    partition: string,
    prefix: string,
    options: { limit?: number; cursor?: string; newestFirst?: boolean } = {},
  ): Promise<Page<Record<string, unknown>>> {
    const query = partitionQuery(partition, prefix);
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
        ExpressionAttributeValues: { ':pk': partition, ':sk': prefix },
        Limit: options.limit,
        ExclusiveStartKey: await this.cursors.decode(options.cursor, query),
        ScanIndexForward: options.newestFirst ? false : undefined,
      }),
    );
    const items = (out.Items ?? []).map(({ PK, SK, ...rest }) => rest);
    return { items, nextCursor: await this.cursors.encode(out.LastEvaluatedKey, query) };
  }

  async putReconciliationRun(run: ReconciliationRun): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { PK: RECON.runs, SK: `${RECON.runPrefix}${run.startedAt}#${run.runId}`, ...run },
      }),
    );
  }

  async listReconciliationRuns(limit: number, cursor?: string): Promise<Page<ReconciliationRun>> {
    const page = await this.queryPartition(RECON.runs, RECON.runPrefix, { limit, cursor, newestFirst: true });
    return { items: page.items as unknown as ReconciliationRun[], nextCursor: page.nextCursor };
  }

  async putCardReconciliation(result: CardReconciliation): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { PK: RECON.ofRun(result.runId), SK: `${RECON.cardPrefix}${result.cardId}`, ...result },
      }),
    );
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          PK: pk({ cardId: result.cardId }),
          SK: `${RECON.resultPrefix}${result.checkedAt}#${result.runId}`,
          ...result,
        },
      }),
    );
  }

  async latestCardReconciliation(cardId: string): Promise<CardReconciliation | undefined> {
    const page = await this.queryPartition(pk({ cardId }), RECON.resultPrefix, { limit: 1, newestFirst: true });
    return page.items[0] as unknown as CardReconciliation | undefined;
  }

  async listCardReconciliationsOfRun(runId: string, limit: number, cursor?: string): Promise<Page<CardReconciliation>> {
    const page = await this.queryPartition(RECON.ofRun(runId), RECON.cardPrefix, { limit, cursor });
    return { items: page.items as unknown as CardReconciliation[], nextCursor: page.nextCursor };
  }

  async flagCardForReconciliation(flag: ReconciliationFlag): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { PK: RECON.flags, SK: `${RECON.cardPrefix}${flag.cardId}`, ...flag },
      }),
    );
  }

  async clearReconciliationFlag(cardId: string): Promise<void> {
    await this.doc.send(
      new DeleteCommand({ TableName: this.tableName, Key: { PK: RECON.flags, SK: `${RECON.cardPrefix}${cardId}` } }),
    );
  }

  async listReconciliationFlags(limit: number, cursor?: string): Promise<Page<ReconciliationFlag>> {
    const page = await this.queryPartition(RECON.flags, RECON.cardPrefix, { limit, cursor });
    return { items: page.items as unknown as ReconciliationFlag[], nextCursor: page.nextCursor };
  }

  async scanTokenStates(limit: number, cursor?: string): Promise<Page<TokenState>> {
    const query: CursorQuery = {
      // A scan stops on any item (the filter applies after): the cursor may name any key of the table.
      scope: 'table|scan|STATE',
      attributes: ['PK', 'SK'],
      partition: {},
    };
    const out = await this.doc.send(
      new ScanCommand({
        TableName: this.tableName,
        FilterExpression: 'SK = :state AND begins_with(PK, :token)',
        ExpressionAttributeValues: { ':state': STATE_SK, ':token': 'TOKEN#' },
        Limit: limit,
        ExclusiveStartKey: await this.cursors.decode(cursor, query),
      }),
    );
    return {
      items: (out.Items ?? []).map((i) => toState(i).state),
      nextCursor: await this.cursors.encode(out.LastEvaluatedKey, query),
    };
  }
}
