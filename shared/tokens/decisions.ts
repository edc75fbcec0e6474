/**
 * The decisions of a period (`GET /decisions`, `GET /decisions/stats`; the console's decisions page),
 * from the stored decision records (docs/security/data-at-rest.md): one page at a time, newest first,
 * or counted per day by decision and reason code, with the shadow rule set's disagreements and how
 * often each rule fired. Statistics are computed on read over at most {@link STATS_MAX_RECORDS}
 * records (ADR 0029): no counter is written on the webhook's path.
 */
import { ValidationError } from '../domain/errors';
import type { DecisionListItem, DecisionLogPort, DecisionOwner, Page } from '../domain/store';

/** The longest period one call covers, in days. */
export const MAX_RANGE_DAYS = 31;
/** The default period when none is given: the last 7 days, today included. */
export const DEFAULT_RANGE_DAYS = 7;
/** Records counted at most per statistics call (`truncated` says when more were there). */
export const STATS_MAX_RECORDS = 20_000;

const DAY_MS = 86_400_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface DayRange {
  from: string;
  to: string;
}

const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

function parseDay(value: string, name: string): number {
  const t = Date.parse(`${value}T00:00:00.000Z`);
  if (!DAY.test(value) || Number.isNaN(t) || dayOf(t) !== value)
    throw new ValidationError(`${name} must be a UTC day, YYYY-MM-DD`);
  return t;
}

/** The period of `from`/`to` (UTC days, inclusive): defaults to the last 7 days; at most 31 days. */
export function dayRangeOf(from: string | undefined, to: string | undefined, now: Date): DayRange {
  const end = to === undefined ? Date.parse(`${dayOf(now.getTime())}T00:00:00.000Z`) : parseDay(to, 'to');
  const start = from === undefined ? end - (DEFAULT_RANGE_DAYS - 1) * DAY_MS : parseDay(from, 'from');
  if (start > end) throw new ValidationError('from must not be after to');
  if ((end - start) / DAY_MS + 1 > MAX_RANGE_DAYS)
    throw new ValidationError(`the period may cover at most ${MAX_RANGE_DAYS} days`);
  return { from: dayOf(start), to: dayOf(end) };
}

export interface DecisionsPage extends Page<DecisionListItem> {
  from: string;
  to: string;
}

/** One page of the period's decisions, newest first. */
export async function listDecisionsOfPeriod(
  store: DecisionLogPort,
  range: DayRange,
  limit: number,
  cursor?: string,
): Promise<DecisionsPage> {
  const page = await store.listDecisionsByDay(range, limit, cursor);
  return {
    from: range.from,
    to: range.to,
    items: page.items,
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}

export interface DecisionDayStats {
  day: string;
  total: number;
  byDecision: Record<string, number>;
  byReasonCode: Record<string, number>;
  shadowDisagreements: number;
  storeFailures: number;
}

export interface RuleFiring {
  id: string;
  fired: number;
  byOutcome: Record<string, number>;
  shadowFired: number;
}

export interface ShadowDisagreement {
  decisionId: string;
  decidedAt: string;
  owner: DecisionOwner;
  live: string;
  shadow: string;
  ruleSetVersion?: string;
  shadowRuleSetVersion: string;
}

export interface DecisionStats {
  from: string;
  to: string;
  total: number;
  days: DecisionDayStats[];
  rules: RuleFiring[];
  shadow: {
    compared: number;
    disagreements: number;
    pairs: { live: string; shadow: string; count: number }[];
    ruleSetVersions: string[];
    latest: ShadowDisagreement[];
  };
  scanned: number;
  truncated: boolean;
}

const add = (counts: Record<string, number>, key: string, n = 1) => {
  counts[key] = (counts[key] ?? 0) + n;
};

/** Counts the period's decisions (newest first, at most {@link STATS_MAX_RECORDS}). */
export async function decisionStatsOfPeriod(
  store: DecisionLogPort,
  range: DayRange,
  maxRecords = STATS_MAX_RECORDS,
): Promise<DecisionStats> {
  const days = new Map<string, DecisionDayStats>();
  for (let t = Date.parse(`${range.from}T00:00:00.000Z`); t <= Date.parse(`${range.to}T00:00:00.000Z`); t += DAY_MS)
    days.set(dayOf(t), {
      day: dayOf(t),
      total: 0,
      byDecision: {},
      byReasonCode: {},
      shadowDisagreements: 0,
      storeFailures: 0,
    });
  const rules = new Map<string, RuleFiring>();
  const rule = (id: string) => {
    let r = rules.get(id);
    if (!r) rules.set(id, (r = { id, fired: 0, byOutcome: {}, shadowFired: 0 }));
    return r;
  };
  const pairs = new Map<string, { live: string; shadow: string; count: number }>();
  const versions = new Set<string>();
  const latest: ShadowDisagreement[] = [];
  let compared = 0;
  let disagreements = 0;
  let scanned = 0;
  let cursor: string | undefined;
  let truncated = false;
  do {
    const page = await store.listDecisionsByDay(range, Math.min(1000, maxRecords - scanned), cursor);
    for (const d of page.items) {
      scanned++;
      const day = days.get(d.decidedAt.slice(0, 10));
      if (!day) continue;
      day.total++;
      add(day.byDecision, d.decision);
      for (const code of d.reasonCodes) add(day.byReasonCode, code);
      if (d.storeFailure) day.storeFailures++;
      for (const f of d.firedRules) {
        const r = rule(f.id);
        r.fired++;
        add(r.byOutcome, f.outcome);
      }
      if (d.shadow) {
        compared++;
        versions.add(d.shadow.ruleSetVersion);
        for (const f of d.shadow.firedRules) rule(f.id).shadowFired++;
        if (d.shadow.decision !== d.decision) {
          disagreements++;
          day.shadowDisagreements++;
          const key = `${d.decision}|${d.shadow.decision}`;
          const pair = pairs.get(key) ?? { live: d.decision, shadow: d.shadow.decision, count: 0 };
          pair.count++;
          pairs.set(key, pair);
          if (latest.length < 20)
            latest.push({
              decisionId: d.decisionId,
              decidedAt: d.decidedAt,
              owner: d.owner,
              live: d.decision,
              shadow: d.shadow.decision,
              ...(d.ruleSetVersion ? { ruleSetVersion: d.ruleSetVersion } : {}),
              shadowRuleSetVersion: d.shadow.ruleSetVersion,
            });
        }
      }
    }
    cursor = page.items.length ? page.nextCursor : undefined;
    if (cursor && scanned >= maxRecords) {
      // Whether anything is left: one more record tells.
      truncated = (await store.listDecisionsByDay(range, 1, cursor)).items.length > 0;
      break;
    }
  } while (cursor);
  const dayList = [...days.values()];
  return {
    from: range.from,
    to: range.to,
    total: dayList.reduce((n, d) => n + d.total, 0),
    days: dayList,
    rules: [...rules.values()].sort(
      (a, b) => b.fired - a.fired || b.shadowFired - a.shadowFired || (a.id < b.id ? -1 : 1),
    ),
    shadow: {
      compared,
      disagreements,
      pairs: [...pairs.values()].sort((a, b) => b.count - a.count),
      ruleSetVersions: [...versions].sort(),
      latest,
    },
    scanned,
    truncated,
  };
}
