/**
 * Decisions: counts per day by decision and reason code, shadow-mode disagreements, how often each
 * rule fires (the API's stats over the stored decision records), and the recent decisions, paged.
 */
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { type DecisionRecord, getDecisionStats, getDecisions } from '../data';
import { ErrorBox, fmtTime, Loading, Page, useConsole, useLoad } from '../ui';

export function DecisionsScreen(): VNode {
  const { api } = useConsole();
  const stats = useLoad((a) => getDecisionStats(a), []);
  const list = useLoad((a) => getDecisions(a), []);
  const [more, setMore] = useState<DecisionRecord[]>([]);
  const [cursor, setCursor] = useState<string | undefined | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const next = cursor === null ? list.data?.nextCursor : cursor;
  const loadMore = async () => {
    if (!next || busy) return;
    setBusy(true);
    try {
      const page = await getDecisions(api, next);
      setMore((m) => [...m, ...page.items]);
      setCursor(page.nextCursor);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const s = stats.data;
  const items = [...(list.data?.items ?? []), ...more];
  return html`<${Page} title="Decisions" subtitle=${s?.from ? `From ${s.from} to ${s.to ?? 'today'}` : undefined}>
    ${stats.loading && !s ? html`<${Loading} what="the statistics" />` : null}
    <${ErrorBox} error=${stats.error} />
    ${s
      ? html`
          <section aria-labelledby="per-day-title">
            <h2 id="per-day-title">Per day, by decision and reason code</h2>
            ${s.perDay.length
              ? html`<table>
                  <thead><tr><th scope="col">Day</th><th scope="col">Decision</th><th scope="col">Reason code</th><th scope="col" class="num">Count</th></tr></thead>
                  <tbody>
                    ${s.perDay.map((r) => html`<tr><td>${r.day}</td><td>${r.decision}</td><td>${r.reasonCode || '—'}</td><td class="num">${r.count}</td></tr>`)}
                  </tbody>
                </table>`
              : html`<p>No decision in this period.</p>`}
          </section>
          <section aria-labelledby="shadow-title">
            <h2 id="shadow-title">Shadow-mode disagreements <span class="count">(${s.shadowDisagreements.length})</span></h2>
            ${s.shadowDisagreements.length
              ? html`<table>
                  <thead><tr><th scope="col">When</th><th scope="col">Token / card</th><th scope="col">Live decision</th><th scope="col">Shadow decision</th><th scope="col">Shadow rule set</th></tr></thead>
                  <tbody>
                    ${s.shadowDisagreements.map(
                      (d) => html`<tr>
                        <td>${fmtTime(d.decidedAt)}</td>
                        <td>${d.tokenId ? html`<a href=${`#/tokens/${encodeURIComponent(d.tokenId)}`}>${d.tokenId}</a>` : (d.cardId ?? '—')}</td>
                        <td>${d.decision}</td>
                        <td>${d.shadowDecision}</td>
                        <td>${d.shadowRuleSetVersion ?? '—'}</td>
                      </tr>`,
                    )}
                  </tbody>
                </table>`
              : html`<p>The shadow rule set agreed with every decision.</p>`}
          </section>
          <section aria-labelledby="rules-title">
            <h2 id="rules-title">Rule firing counts</h2>
            ${s.ruleFirings.length
              ? html`<table>
                  <thead><tr><th scope="col">Rule</th><th scope="col" class="num">Fired</th></tr></thead>
                  <tbody>${s.ruleFirings.map((r) => html`<tr><td>${r.ruleId}</td><td class="num">${r.count}</td></tr>`)}</tbody>
                </table>`
              : html`<p>No rule fired.</p>`}
          </section>
        `
      : null}
    <section aria-labelledby="recent-title">
      <h2 id="recent-title">Recent decisions</h2>
      <${ErrorBox} error=${list.error ?? error} />
      ${list.loading && !list.data ? html`<${Loading} what="the decisions" />` : null}
      ${items.length
        ? html`<table>
            <thead><tr><th scope="col">When</th><th scope="col">Token / card</th><th scope="col">Network</th><th scope="col">Decision</th><th scope="col">Reason codes</th><th scope="col">Rules fired</th></tr></thead>
            <tbody>
              ${items.map(
                (d) => html`<tr>
                  <td>${fmtTime(d.decidedAt)}</td>
                  <td>${d.tokenId ? html`<a href=${`#/tokens/${encodeURIComponent(d.tokenId)}`}>${d.tokenId}</a>` : (d.cardId ?? '—')}</td>
                  <td>${d.network ?? '—'}</td>
                  <td>${d.decision}</td>
                  <td>${d.reasonCodes.join(', ') || '—'}</td>
                  <td>${d.firedRules.map((f) => f.id).join(', ') || 'none'}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
        : list.data
          ? html`<p>No decision recorded.</p>`
          : null}
      ${next ? html`<button type="button" onClick=${loadMore} disabled=${busy}>${busy ? 'Loading…' : 'More decisions'}</button>` : null}
    </section>
  <//>`;
}
