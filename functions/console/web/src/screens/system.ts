/**
 * System: MDES system status, our circuit breaker's state towards each network, and the days until
 * each Mastercard key expires.
 */
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { getSystem } from '../data';
import { ErrorBox, Facts, Loading, Page, useLoad } from '../ui';

const CIRCUIT_WORDS: Record<string, string> = {
  closed: 'closed: calls go through',
  open: 'open: calls are refused at once (the network failed repeatedly); it retries by itself',
  halfOpen: 'half-open: trying one call',
};

export function SystemScreen(): VNode {
  const { data, error, loading, reload } = useLoad((a) => getSystem(a), []);
  return html`<${Page} title="System">
    ${loading && !data ? html`<${Loading} what="the system status" />` : null}
    <${ErrorBox} error=${error} />
    ${data
      ? html`
          <section aria-labelledby="mdes-title" class="card-box">
            <h2 id="mdes-title">Mastercard MDES</h2>
            <${Facts}
              rows=${[
                ['MDES status', data.mdesStatus ?? 'unknown'],
                ['Circuit', data.circuit ? (CIRCUIT_WORDS[data.circuit] ?? data.circuit) : 'unknown'],
                ['Checked at', data.checkedAt],
                ...(data.other ?? []),
              ]}
            />
          </section>
          <section aria-labelledby="keys-title">
            <h2 id="keys-title">Mastercard keys</h2>
            ${data.keys.length
              ? html`<table>
                  <thead><tr><th scope="col">Customer</th><th scope="col">Key</th><th scope="col">Expires</th><th scope="col" class="num">Days left</th></tr></thead>
                  <tbody>
                    ${data.keys.map(
                      (k) => html`<tr class=${k.daysLeft !== undefined && k.daysLeft < 30 ? 'warn' : ''}>
                        <td>${k.customerId ?? '—'}</td>
                        <td>${k.label}</td>
                        <td>${k.expiresAt ?? '—'}</td>
                        <td class="num">${k.daysLeft ?? '—'}</td>
                      </tr>`,
                    )}
                  </tbody>
                </table>`
              : html`<p>No key information.</p>`}
          </section>
          <button type="button" onClick=${reload}>Refresh</button>
        `
      : null}
  <//>`;
}
