/**
 * One card: its tokens grouped by wallet and then by device (each device links to "device lost"),
 * its refusals, and the card-level actions (one Pismo card operation for every token, per-token results).
 */
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { type BulkResult, cardAction, getCard, type TokenState } from '../data';
import { ACTION_LABELS, ActionForm, DESTRUCTIVE, ErrorBox, fmtTime, Loading, Page, StatusBadge, useConsole, useLoad } from '../ui';
import { networkLabel } from './token';
import { ResultsTable } from './device-lost';

interface Group {
  wallet: string;
  devices: { device: string; deviceId?: string; tokens: TokenState[] }[];
}

/** Tokens by wallet, then by device, in a stable order. */
export function groupTokens(tokens: TokenState[]): Group[] {
  const wallets = new Map<string, Map<string, { device: string; deviceId?: string; tokens: TokenState[] }>>();
  for (const t of tokens) {
    const f = t.facts;
    const wallet = f.walletName ?? f.walletId ?? f.tokenRequestorId ?? 'Unknown wallet';
    const deviceKey = f.deviceId ?? f.deviceName ?? 'unknown';
    const device = [f.deviceName, f.deviceType].filter(Boolean).join(' · ') || (f.deviceId ? `Device ${f.deviceId}` : 'Unknown device');
    const devices = wallets.get(wallet) ?? new Map();
    wallets.set(wallet, devices);
    const group = devices.get(deviceKey) ?? { device, deviceId: f.deviceId, tokens: [] };
    devices.set(deviceKey, group);
    group.tokens.push(t);
  }
  return [...wallets].map(([wallet, devices]) => ({ wallet, devices: [...devices.values()] }));
}

const CARD_ACTIONS = ['suspend', 'resume', 'delete'];

export function CardScreen(props: { cardId: string }): VNode {
  const { api, session } = useConsole();
  const { data, error, loading, reload } = useLoad((a) => getCard(a, props.cardId), [props.cardId]);
  const [open, setOpen] = useState<string>();
  const [result, setResult] = useState<{ action: string; body: BulkResult }>();
  const groups = data ? groupTokens(data.tokens.items) : [];
  return html`<${Page} title=${`Card ${props.cardId}`}>
    ${loading && !data ? html`<${Loading} what="the card" />` : null}
    <${ErrorBox} error=${error} />
    ${data
      ? html`
          <section aria-labelledby="tokens-title">
            <h2 id="tokens-title">Tokens <span class="count">(${data.tokens.items.length})</span></h2>
            ${groups.length ? null : html`<p>No token for this card.</p>`}
            ${groups.map(
              (g) => html`<section class="group" aria-label=${`Wallet ${g.wallet}`}>
                <h3>${g.wallet}</h3>
                ${g.devices.map(
                  (d) => html`<div class="device">
                    <h4>
                      ${d.device}
                      ${d.deviceId && session?.canAct
                        ? html` <a class="small" href=${`#/device-lost?cardId=${encodeURIComponent(props.cardId)}&deviceId=${encodeURIComponent(d.deviceId)}`}>Device lost…</a>`
                        : null}
                    </h4>
                    <table>
                      <thead><tr><th scope="col">Token</th><th scope="col">Network</th><th scope="col">Status</th><th scope="col">Last event</th></tr></thead>
                      <tbody>
                        ${d.tokens.map(
                          (t) => html`<tr>
                            <td><a href=${`#/tokens/${encodeURIComponent(t.tokenId)}`}>${t.tokenId}</a></td>
                            <td>${networkLabel(t.facts.network)}</td>
                            <td><${StatusBadge} status=${t.status} /></td>
                            <td>${fmtTime(t.lastEventAt)}</td>
                          </tr>`,
                        )}
                      </tbody>
                    </table>
                  </div>`,
                )}
              </section>`,
            )}
          </section>
          <section aria-labelledby="refusals-title">
            <h2 id="refusals-title">Refusals</h2>
            ${data.refusals.length
              ? html`<table>
                  <thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Note</th></tr></thead>
                  <tbody>
                    ${data.refusals.map((r) => html`<tr><td>${fmtTime(r.occurredAt)}</td><td>${r.eventType}</td><td>${r.note ?? ''}</td></tr>`)}
                  </tbody>
                </table>`
              : html`<p>No refusal.</p>`}
          </section>
          ${session?.canAct
            ? html`<section aria-labelledby="card-actions-title" class="card-box">
                <h2 id="card-actions-title">Card-level actions</h2>
                <p class="hint">One operation for every token of the card; tokens whose status forbids it are skipped.</p>
                <ul class="actions">
                  ${CARD_ACTIONS.map(
                    (a) => html`<li>
                      <button type="button" class=${DESTRUCTIVE.has(a) ? 'danger' : ''} aria-expanded=${open === a} onClick=${() => setOpen(open === a ? undefined : a)}>
                        ${ACTION_LABELS[a]} every token…
                      </button>
                    </li>`,
                  )}
                </ul>
                ${open
                  ? html`<${ActionForm}
                      key=${open}
                      action=${open}
                      label=${`${ACTION_LABELS[open]} every token`}
                      subject=${`of card ${props.cardId}`}
                      destructive=${DESTRUCTIVE.has(open)}
                      submit=${(body: object) => cardAction(api, props.cardId, open, body)}
                      onDone=${(r: unknown) => {
                        setResult({ action: open, body: r as BulkResult });
                        setOpen(undefined);
                        reload();
                      }}
                      onCancel=${() => setOpen(undefined)}
                    />`
                  : null}
                ${result ? html`<${ResultsTable} title=${`${ACTION_LABELS[result.action]}: results per token`} results=${result.body.results ?? []} />` : null}
              </section>`
            : null}
        `
      : null}
  <//>`;
}
