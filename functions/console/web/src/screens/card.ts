/**
 * One card: its tokens grouped by wallet and then by device (each device links to "device lost"),
 * its refusals, and the card-level actions (one Pismo card operation for every token, per-token results).
 */
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { type ActionRequest, type CardActionResult, cardAction, getCard, type TokenGroup } from '../data';
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
import { networkLabel } from './token';
import { ResultsTable } from './device-lost';

const groupTitle = (g: TokenGroup) => g.walletName ?? g.walletId ?? g.tokenRequestorId ?? 'Unknown wallet';
const deviceTitle = (g: TokenGroup) =>
  [g.deviceName, g.deviceType, g.deviceId ? `device ${g.deviceId}` : undefined].filter(Boolean).join(' · ') ||
  'no device (card on file)';

const CARD_ACTIONS = ['suspend', 'resume', 'delete'];

export function CardScreen(props: { cardId: string }): VNode {
  const { api, session } = useConsole();
  const { data, error, loading, reload } = useLoad((a) => getCard(a, props.cardId), [props.cardId]);
  const [open, setOpen] = useState<string>();
  const [result, setResult] = useState<{ action: string; body: CardActionResult }>();
  return html`<${Page} title=${`Card ${props.cardId}`}>
    ${loading && !data ? html`<${Loading} what="the card" />` : null}
    <${ErrorBox} error=${error} />
    ${
      data
        ? html`
            ${
              data.card
                ? html`<section aria-labelledby="card-title" class="card-box">
                    <h2 id="card-title">Card</h2>
                    <${Facts}
                      rows=${[
                        ['Status', data.card.statusKnown === false ? 'unknown' : data.card.status],
                        ['Previous status', data.card.previousStatus],
                        ['Type', data.card.cardType],
                        ['Last four', data.card.lastFour],
                        ['Account', data.card.accountId],
                        ['Updated', data.card.updatedAt ? fmtTime(data.card.updatedAt) : undefined],
                      ]}
                    />
                  </section>`
                : null
            }
            <section aria-labelledby="tokens-title">
              <h2 id="tokens-title">
                Tokens <span class="count">(${data.tokenCount}${data.tokensTruncated ? '+' : ''})</span>
              </h2>
              ${data.groups.length ? null : html`<p>No token for this card.</p>`}
              ${data.groups.map(
                (g) =>
                  html`<section class="group" aria-labelledby=${`g-${g.key}`}>
                    <h3 id=${`g-${g.key}`}>
                      ${groupTitle(g)} <span class="hint">on</span> ${deviceTitle(g)}
                      ${
                        g.deviceId && session?.canAct
                          ? html` <a
                              class="small"
                              href=${`#/device-lost?cardId=${encodeURIComponent(props.cardId)}&deviceId=${encodeURIComponent(g.deviceId)}`}
                              >Device lost…</a
                            >`
                          : null
                      }
                    </h3>
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">Token</th>
                          <th scope="col">Network</th>
                          <th scope="col">Type</th>
                          <th scope="col">Status</th>
                          <th scope="col">Last event</th>
                        </tr>
                      </thead>
                      <tbody>
                        ${g.tokens.map(
                          (t) =>
                            html`<tr>
                              <td><a href=${`#/tokens/${encodeURIComponent(t.tokenId)}`}>${t.tokenId}</a></td>
                              <td>${networkLabel(t.network)}</td>
                              <td>${t.tokenType ?? '—'}</td>
                              <td><${StatusBadge} status=${t.status} /></td>
                              <td>${fmtTime(t.lastEventAt)}</td>
                            </tr>`,
                        )}
                      </tbody>
                    </table>
                  </section>`,
              )}
            </section>
            <section aria-labelledby="refusals-title">
              <h2 id="refusals-title">Refusals</h2>
              ${
                data.refusals.length
                  ? html`<table>
                      <thead>
                        <tr>
                          <th scope="col">When</th>
                          <th scope="col">Event</th>
                          <th scope="col">Note</th>
                        </tr>
                      </thead>
                      <tbody>
                        ${data.refusals.map(
                          (r) =>
                            html`<tr>
                              <td>${fmtTime(r.occurredAt)}</td>
                              <td>${r.eventType}</td>
                              <td>${r.note ?? ''}</td>
                            </tr>`,
                        )}
                      </tbody>
                    </table>`
                  : html`<p>No refusal.</p>`
              }
            </section>
            ${
              session?.canAct
                ? html`<section aria-labelledby="card-actions-title" class="card-box">
                    <h2 id="card-actions-title">Card-level actions</h2>
                    <p class="hint">
                      One operation for every token of the card; tokens whose status forbids it are skipped.
                    </p>
                    <ul class="actions">
                      ${CARD_ACTIONS.map(
                        (a) =>
                          html`<li>
                            <button
                              type="button"
                              class=${DESTRUCTIVE.has(a) ? 'danger' : ''}
                              aria-expanded=${open === a}
                              onClick=${() => setOpen(open === a ? undefined : a)}
                            >
                              ${ACTION_LABELS[a]} every token…
                            </button>
                          </li>`,
                      )}
                    </ul>
                    ${
                      open
                        ? html`<${ActionForm}
                            key=${open}
                            action=${open}
                            label=${`${ACTION_LABELS[open]} every token`}
                            subject=${`of card ${props.cardId}`}
                            destructive=${DESTRUCTIVE.has(open)}
                            submit=${(body: ActionRequest) => cardAction(api, props.cardId, open, body)}
                            onDone=${(r: unknown) => {
                              setResult({ action: open, body: r as CardActionResult });
                              setOpen(undefined);
                              reload();
                            }}
                            onCancel=${() => setOpen(undefined)}
                          />`
                        : null
                    }
                    ${result ? html`<${ResultsTable} title=${`${ACTION_LABELS[result.action]}: results per token`} results=${result.body.results ?? []} />` : null}
                  </section>`
                : null
            }
          `
        : null
    }
  <//>`;
}
