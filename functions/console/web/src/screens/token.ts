/**
 * One token: state and facts, the actions its network's rules allow now (a forbidden one shows the
 * rule), the multi-suspender situation in words, the timeline (paged), the ID&V challenges (never a
 * code), the decisions with the rules that fired, and the audit trail. Read-only agents see no action.
 */
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  type ActionRequest,
  type AllowedAction,
  getChallenges,
  getMdesSuspenders,
  getTimeline,
  getToken,
  type TimelineEntry,
  tokenAction,
  type TokenActionResult,
  type TokenView,
} from '../data';
import {
  ACTION_LABELS,
  ActionForm,
  DESTRUCTIVE,
  ErrorBox,
  Facts,
  fmtTime,
  Loading,
  Page,
  StatusBadge,
  useConsole,
  useLoad,
} from '../ui';

/** "the wallet", "the cardholder"…: who else holds a suspension, in words. */
export function suspenderWords(name: string): string {
  const code = { I: 'issuer', W: 'wallet', C: 'cardholder', P: 'mobile pin', M: 'mobile pin' }[name];
  const n = (code ?? name).toLowerCase();
  if (/wallet|token.?requestor|tsp/.test(n)) return 'the wallet';
  if (/cardholder|consumer|customer/.test(n)) return 'the cardholder';
  if (/issuer/.test(n)) return 'the issuer';
  if (/mobile.?pin|pin/.test(n)) return 'the mobile PIN lock';
  return name;
}

/** The multi-suspender situation as a sentence, or nothing when only the issuer (or nobody) suspends. */
export function otherSuspenders(suspenders: string[] | undefined): string | undefined {
  const others = (suspenders ?? []).map(suspenderWords).filter((w) => w !== 'the issuer');
  if (!others.length) return undefined;
  const who = [...new Set(others)].join(' and ');
  return `Also suspended by ${who}: only ${others.length > 1 ? 'they' : who} can lift that.`;
}

const NETWORK_NAMES: Record<string, string> = { MDES: 'Mastercard (MDES)', VTS: 'Visa (VTS)', UNKNOWN: 'unknown' };
export const networkLabel = (n: unknown) => (typeof n === 'string' ? (NETWORK_NAMES[n] ?? n) : 'unknown');

function Actions(props: { view: TokenView; onDone: (result: TokenActionResult, action: string) => void }): VNode {
  const { api } = useConsole();
  const [open, setOpen] = useState<string>();
  const { token, allowedActions } = props.view;
  const network = token.facts.network;
  return html`<section aria-labelledby="actions-title" class="card-box">
    <h2 id="actions-title">Actions</h2>
    <ul class="actions">
      ${allowedActions.map(
        (a: AllowedAction) =>
          html`<li>
            ${
              a.allowed
                ? html`<button
                    type="button"
                    class=${DESTRUCTIVE.has(a.action) ? 'danger' : ''}
                    aria-expanded=${open === a.action}
                    onClick=${() => setOpen(open === a.action ? undefined : a.action)}
                  >
                    ${ACTION_LABELS[a.action] ?? a.action}…
                  </button>`
                : html`<span class="not-allowed"
                    ><strong>${ACTION_LABELS[a.action] ?? a.action}</strong>: not allowed.${' '}
                    <span class="rule">Rule: ${a.rule ?? 'not allowed in this status'}</span></span
                  >`
            }
          </li>`,
      )}
    </ul>
    ${
      open
        ? html`<${ActionForm}
            key=${open}
            action=${open}
            subject=${`token ${token.tokenId}`}
            destructive=${DESTRUCTIVE.has(open)}
            submit=${(body: ActionRequest) => tokenAction(api, token.tokenId, open, body, network)}
            onDone=${(r: unknown) => {
              setOpen(undefined);
              props.onDone(r as TokenActionResult, open);
            }}
            onCancel=${() => setOpen(undefined)}
          />`
        : null
    }
  </section>`;
}

function Timeline(props: { tokenId: string; first: TokenView['timeline'] }): VNode {
  const { api } = useConsole();
  const [items, setItems] = useState<TimelineEntry[]>(props.first.items);
  const [cursor, setCursor] = useState(props.first.nextCursor);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const more = async () => {
    if (!cursor || busy) return;
    setBusy(true);
    try {
      const next = await getTimeline(api, props.tokenId, cursor);
      setItems((i) => [...i, ...next.items]);
      setCursor(next.nextCursor);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<section aria-labelledby="timeline-title">
    <h2 id="timeline-title">Timeline <span class="count">(${items.length}${cursor ? '+' : ''})</span></h2>
    ${
      items.length
        ? html`<table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Note</th>
              </tr>
            </thead>
            <tbody>
              ${items.map(
                (e) =>
                  html`<tr>
                    <td>${fmtTime(e.occurredAt)}</td>
                    <td>${e.eventType}${e.callMethod ? html` <span class="hint">${e.callMethod}</span>` : null}</td>
                    <td>${e.status ? html`<${StatusBadge} status=${e.status} />` : '—'}</td>
                    <td>${e.note ?? ''}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p>No events yet.</p>`
    }
    ${cursor ? html`<button type="button" onClick=${more} disabled=${busy}>${busy ? 'Loading…' : 'Older events'}</button>` : null}
    <${ErrorBox} error=${error} />
  </section>`;
}

function Challenges(props: { tokenId: string }): VNode {
  const { data, error, loading } = useLoad((api) => getChallenges(api, props.tokenId), [props.tokenId]);
  return html`<section aria-labelledby="challenges-title">
    <h2 id="challenges-title">ID&V challenges</h2>
    ${loading && !data ? html`<${Loading} what="challenges" />` : null}
    <${ErrorBox} error=${error} />
    ${data && !data.length ? html`<p>No challenge.</p>` : null}
    ${
      data?.length
        ? html`<table>
            <thead>
              <tr>
                <th scope="col">Challenge</th>
                <th scope="col">Method</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Attempts</th>
              </tr>
            </thead>
            <tbody>
              ${data.map(
                (c) =>
                  html`<tr>
                    <td>${c.challengeId}</td>
                    <td>${c.method ?? c.channel ?? '—'}</td>
                    <td>${c.status ?? '—'}</td>
                    <td>${fmtTime(c.createdAt)}</td>
                    <td>${c.attempts ?? '—'}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : null
    }
  </section>`;
}

function Decisions(props: { view: TokenView }): VNode {
  const d = props.view.decisions;
  return html`<section aria-labelledby="decisions-title">
    <h2 id="decisions-title">Decisions</h2>
    ${
      d.length
        ? html`<table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Decision</th>
                <th scope="col">Reason codes</th>
                <th scope="col">Rules fired</th>
                <th scope="col">Shadow</th>
              </tr>
            </thead>
            <tbody>
              ${d.map(
                (r) =>
                  html`<tr>
                    <td>${fmtTime(r.decidedAt)}</td>
                    <td>${r.decision}</td>
                    <td>${r.reasonCodes.join(', ') || '—'}</td>
                    <td>
                      ${
                        r.firedRules.length
                          ? html`<ul class="plain">
                              ${r.firedRules.map((f) => html`<li>${f.id} → ${f.outcome}${f.reasonCode ? ` (${f.reasonCode})` : ''}</li>`)}
                            </ul>`
                          : 'none'
                      }
                    </td>
                    <td>
                      ${r.shadow ? `${r.shadow.decision}${r.shadow.decision !== r.decision ? ' (disagrees)' : ''}` : '—'}
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p>No decision recorded.</p>`
    }
  </section>`;
}

function Audit(props: { view: TokenView }): VNode {
  const a = props.view.audit;
  return html`<section aria-labelledby="audit-title">
    <h2 id="audit-title">Audit trail</h2>
    ${
      a.length
        ? html`<table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">By</th>
                <th scope="col">Outcome</th>
                <th scope="col">Reason / comment</th>
              </tr>
            </thead>
            <tbody>
              ${a.map(
                (r) =>
                  html`<tr>
                    <td>${fmtTime(r.at)}</td>
                    <td>${r.operation}</td>
                    <td>${r.userName} <span class="hint">${r.userId}</span></td>
                    <td>${r.outcome}</td>
                    <td>
                      ${[r.parameters?.reason, r.parameters?.comment, r.reason].filter(Boolean).join(' · ') || '—'}
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p>No action recorded.</p>`
    }
  </section>`;
}

export function TokenScreen(props: { tokenId: string }): VNode {
  const { session } = useConsole();
  const { data, error, loading, reload } = useLoad((api) => getToken(api, props.tokenId), [props.tokenId]);
  const [last, setLast] = useState<{ action: string; result: TokenActionResult }>();
  const t = data?.token;
  const f = t?.facts ?? {};
  // MDES keeps one suspension per suspender: ask MDES who holds one when our token is suspended.
  const tur = t?.facts.network === 'MDES' && t.status === 'suspended' ? t.facts.tokenUniqueReference : undefined;
  const mdes = useLoad((api) => (tur ? getMdesSuspenders(api, tur) : Promise.resolve(undefined)), [tur, t?.statusAt]);
  // While a request waits for the network's event, look again now and then: the status follows by itself.
  useEffect(() => {
    if (!data?.pendingRequest) return;
    const timer = setTimeout(reload, 1500);
    return () => clearTimeout(timer);
  }, [data, reload]);
  // The action's form is gone once it is done: the focus goes to what happened.
  const doneRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => doneRef.current?.focus(), [last]);
  const p = data?.pendingRequest;
  const pending =
    p &&
    `${ACTION_LABELS[p.action] ?? p.action} requested by ${p.userId} at ${fmtTime(p.requestedAt)}: ` +
      `waiting for the network’s confirmation (expected status ${p.expectedStatus}).`;
  const done =
    last &&
    `${ACTION_LABELS[last.action] ?? last.action}: ` +
      (last.result.outcome === 'ALREADY_DONE'
        ? 'already done, nothing was sent.'
        : `sent; the network accepted it${last.result.expectedStatus ? ` (expected status ${last.result.expectedStatus})` : ''}.`);
  const multi = otherSuspenders(last?.result.stillSuspendedBy ?? mdes.data);
  return html`<${Page} title=${`Token ${props.tokenId}`}>
    ${loading && !data ? html`<${Loading} what="the token" />` : null}
    <${ErrorBox} error=${error} />
    ${
      data && t
        ? html`
            <section aria-labelledby="state-title" class="card-box">
              <h2 id="state-title">State</h2>
              <p class="state-line">
                <${StatusBadge} status=${t.status} /> ${networkLabel(f.network)}${' '}
                ${t.statusAt ? html`<span class="hint">since ${fmtTime(t.statusAt)}</span>` : null}
              </p>
              ${pending ? html`<p class="pending" role="status">${pending}</p>` : null}
              ${multi ? html`<p class="multi" role="note">${multi}</p>` : null}
              ${done ? html`<p class="done" role="status" tabindex="-1" ref=${doneRef}>${done}</p>` : null}
              <${Facts}
                rows=${[
                  [
                    'Card',
                    f.cardId ? html`<a href=${`#/cards/${encodeURIComponent(f.cardId)}`}>${f.cardId}</a>` : undefined,
                  ],
                  ['Token Unique Reference', f.tokenUniqueReference],
                  ['Wallet', f.walletName ?? f.walletId ?? f.tokenRequestorId],
                  ['Device', [f.deviceName, f.deviceType].filter(Boolean).join(' · ') || f.deviceId],
                  ['Device id', f.deviceId],
                  ['Token type', f.tokenType],
                  ['Token expiry', f.tokenExpiry],
                  ['PAN source', f.panSourceLabel],
                  ['First event', fmtTime(t.firstEventAt)],
                  ['Last event', fmtTime(t.lastEventAt)],
                ]}
              />
              <button type="button" onClick=${reload}>Refresh</button>
            </section>
            ${
              session?.canAct
                ? html`<${Actions}
                    view=${data}
                    onDone=${(result: TokenActionResult, action: string) => {
                      setLast({ action, result });
                      reload();
                    }}
                  />`
                : html`<p class="hint">Read-only access: actions are not available.</p>`
            }
            <${Timeline}
              key=${`${props.tokenId}-${data.timeline.items.length}-${t.lastEventAt}`}
              tokenId=${props.tokenId}
              first=${data.timeline}
            />
            <${Challenges} tokenId=${props.tokenId} />
            <${Decisions} view=${data} />
            <${Audit} view=${data} />
          `
        : null
    }
  <//>`;
}
