/**
 * System: MDES system status and our circuit breaker's state in front of MDES (per MDES customer),
 * and the days until each Mastercard key expires (the daily key monitor's latest report).
 */
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { getKeyExpiry, getSystemStatus } from '../data';
import { ErrorBox, Facts, fmtTime, Loading, Page, useConsole, useLoad } from '../ui';

const CIRCUIT_WORDS: Record<string, string> = {
  closed: 'closed: calls to MDES go through',
  open: 'open: calls to MDES are refused at once after repeated failures; it tries again by itself',
  halfOpen: 'half-open: trying one call to MDES',
};

function Customer(props: { customerId: string }): VNode {
  const { data, error, loading } = useLoad((a) => getSystemStatus(a, props.customerId), [props.customerId]);
  const status = data?.mdes.SystemStatusResponse;
  return html`<section aria-labelledby=${`mdes-${props.customerId}`} class="card-box">
    <h2 id=${`mdes-${props.customerId}`}>MDES for customer ${props.customerId}</h2>
    ${loading && !data ? html`<${Loading} what="the MDES status" />` : null}
    <${ErrorBox} error=${error} />
    ${
      data
        ? html`<${Facts}
            rows=${[
              ['MDES says', status?.CommentText ?? 'available (no comment)'],
              ['MDES status time', status?.LastStatusDateTime],
              ['Our circuit', CIRCUIT_WORDS[data.circuit] ?? data.circuit],
            ]}
          />`
        : null
    }
  </section>`;
}

export function SystemScreen(): VNode {
  const { session } = useConsole();
  const keys = useLoad((a) => getKeyExpiry(a), []);
  const customers = session?.mdesCustomers.length ? session.mdesCustomers : [];
  return html`<${Page} title="System">
    ${customers.length ? customers.map((c) => html`<${Customer} key=${c} customerId=${c} />`) : html`<p>No MDES customer is configured for your account.</p>`}
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">Mastercard keys: days until expiry</h2>
      ${keys.loading && !keys.data ? html`<${Loading} what="the key report" />` : null}
      <${ErrorBox} error=${keys.error} />
      ${
        keys.data
          ? html`<p class="hint">
                Warning under ${keys.data.thresholds.warning} days, critical under ${keys.data.thresholds.critical}.
              </p>
              ${
                keys.data.customers.length
                  ? html`<table>
                      <thead>
                        <tr>
                          <th scope="col">Customer</th>
                          <th scope="col">Key</th>
                          <th scope="col">Expires</th>
                          <th scope="col" class="num">Days left</th>
                          <th scope="col">Level</th>
                          <th scope="col">Checked</th>
                        </tr>
                      </thead>
                      <tbody>
                        ${keys.data.customers.flatMap((c) =>
                          c.keys.length
                            ? c.keys.map(
                                (k) =>
                                  html`<tr class=${c.level === 'OK' ? '' : 'warn'}>
                                    <td>${c.customerId}</td>
                                    <td>${k.key}</td>
                                    <td>${fmtTime(k.notAfter)}</td>
                                    <td class="num">${k.daysToExpiry}</td>
                                    <td>${c.level}</td>
                                    <td>${fmtTime(c.checkedAt)}</td>
                                  </tr>`,
                              )
                            : [
                                html`<tr class="warn">
                                  <td>${c.customerId}</td>
                                  <td colspan="3">${c.error ?? 'no key read'}</td>
                                  <td>${c.level}</td>
                                  <td>${fmtTime(c.checkedAt)}</td>
                                </tr>`,
                              ],
                        )}
                      </tbody>
                    </table>`
                  : html`<p>The key monitor has not reported yet.</p>`
              }`
          : null
      }
    </section>
  <//>`;
}
