/**
 * Decisions: counts per day by decision and reason code, shadow-mode disagreements, how often each
 * rule fires (the API's stats over the stored decision records), and the decisions themselves, paged.
 */
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { type DecisionListItem, type DecisionOwner, getDecisionStats, getDecisions } from '../data';
import { ErrorBox, fmtTime, Loading, Page, useConsole, useLoad } from '../ui';

/** A link to the decision's token or card, or the day of an unattributable request. */
function Owner(props: { owner: DecisionOwner }): VNode {
  const o = props.owner;
  if ('tokenId' in o) return html`<a href=${`#/tokens/${encodeURIComponent(o.tokenId)}`}>token ${o.tokenId}</a>`;
  if ('cardId' in o) return html`<a href=${`#/cards/${encodeURIComponent(o.cardId)}`}>card ${o.cardId}</a>`;
  return html`<span class="hint">unattributable (${o.invalidOn})</span>`;
}

const counts = (r: Record<string, number>) =>
  Object.entries(r)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || '—';

export function DecisionsScreen(): VNode {
  const { api } = useConsole();
  const stats = useLoad((a) => getDecisionStats(a), []);
  const list = useLoad((a) => getDecisions(a), []);
  const [more, setMore] = useState<DecisionListItem[]>([]);
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
  return html`<${Page}
    title="Decisions"
    subtitle=${s ? `${s.total} decisions from ${s.from} to ${s.to} (UTC days)` : undefined}
  >
    ${stats.loading && !s ? html`<${Loading} what="the statistics" />` : null}
    <${ErrorBox} error=${stats.error} />
    ${s?.truncated ? html`<p class="hint">Counted over the first ${s.scanned} records only: choose a shorter period.</p>` : null}
    ${
      s
        ? html`
            <section aria-labelledby="per-day-title">
              <h2 id="per-day-title">Per day, by decision and reason code</h2>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Day</th>
                    <th scope="col" class="num">Total</th>
                    <th scope="col">By decision</th>
                    <th scope="col">By reason code</th>
                    <th scope="col" class="num">Shadow disagreements</th>
                  </tr>
                </thead>
                <tbody>
                  ${s.days.map(
                    (d) =>
                      html`<tr>
                        <td>${d.day}</td>
                        <td class="num">${d.total}</td>
                        <td>${counts(d.byDecision)}</td>
                        <td>${counts(d.byReasonCode)}</td>
                        <td class="num">${d.shadowDisagreements}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </section>
            <section aria-labelledby="shadow-title">
              <h2 id="shadow-title">Shadow-mode disagreements</h2>
              <p>
                ${s.shadow.disagreements} of ${s.shadow.compared} decisions also decided by a shadow rule set
                ${s.shadow.ruleSetVersions.length ? `(${s.shadow.ruleSetVersions.join(', ')})` : ''} were decided
                differently.
              </p>
              ${
                s.shadow.pairs.length
                  ? html`<table>
                      <thead>
                        <tr>
                          <th scope="col">Live decision</th>
                          <th scope="col">Shadow decision</th>
                          <th scope="col" class="num">Count</th>
                        </tr>
                      </thead>
                      <tbody>
                        ${s.shadow.pairs.map(
                          (p) =>
                            html`<tr>
                              <td>${p.live}</td>
                              <td>${p.shadow}</td>
                              <td class="num">${p.count}</td>
                            </tr>`,
                        )}
                      </tbody>
                    </table>`
                  : null
              }
              ${
                s.shadow.latest.length
                  ? html`<h3>Latest disagreements</h3>
                      <table>
                        <thead>
                          <tr>
                            <th scope="col">When</th>
                            <th scope="col">Of</th>
                            <th scope="col">Live</th>
                            <th scope="col">Shadow</th>
                            <th scope="col">Shadow rule set</th>
                          </tr>
                        </thead>
                        <tbody>
                          ${s.shadow.latest.map(
                            (d) =>
                              html`<tr>
                                <td>${fmtTime(d.decidedAt)}</td>
                                <td><${Owner} owner=${d.owner} /></td>
                                <td>${d.live}</td>
                                <td>${d.shadow}</td>
                                <td>${d.shadowRuleSetVersion}</td>
                              </tr>`,
                          )}
                        </tbody>
                      </table>`
                  : null
              }
            </section>
            <section aria-labelledby="rules-title">
              <h2 id="rules-title">How often each rule fires</h2>
              ${
                s.rules.length
                  ? html`<table>
                      <thead>
                        <tr>
                          <th scope="col">Rule</th>
                          <th scope="col" class="num">Fired</th>
                          <th scope="col">By outcome</th>
                          <th scope="col" class="num">Of which shadow</th>
                        </tr>
                      </thead>
                      <tbody>
                        ${s.rules.map(
                          (r) =>
                            html`<tr>
                              <td>${r.id}</td>
                              <td class="num">${r.fired}</td>
                              <td>${counts(r.byOutcome)}</td>
                              <td class="num">${r.shadowFired}</td>
                            </tr>`,
                        )}
                      </tbody>
                    </table>`
                  : html`<p>No rule fired in this period.</p>`
              }
            </section>
          `
        : null
    }
    <section aria-labelledby="recent-title">
      <h2 id="recent-title">Decisions, newest first</h2>
      <${ErrorBox} error=${list.error ?? error} />
      ${list.loading && !list.data ? html`<${Loading} what="the decisions" />` : null}
      ${
        items.length
          ? html`<table>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Of</th>
                  <th scope="col">Network</th>
                  <th scope="col">Decision</th>
                  <th scope="col">Reason codes</th>
                  <th scope="col">Rules fired</th>
                </tr>
              </thead>
              <tbody>
                ${items.map(
                  (d) =>
                    html`<tr>
                      <td>${fmtTime(d.decidedAt)}</td>
                      <td><${Owner} owner=${d.owner} /></td>
                      <td>${d.network ?? '—'}</td>
                      <td>
                        ${d.decision}${d.shadow && d.shadow.decision !== d.decision ? html` <span class="hint">(shadow: ${d.shadow.decision})</span>` : null}
                      </td>
                      <td>${d.reasonCodes.join(', ') || '—'}</td>
                      <td>${d.firedRules.map((f) => f.id).join(', ') || 'none'}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
          : list.data
            ? html`<p>No decision recorded in this period.</p>`
            : null
      }
      ${next ? html`<button type="button" onClick=${loadMore} disabled=${busy}>${busy ? 'Loading…' : 'More decisions'}</button>` : null}
    </section>
  <//>`;
}
