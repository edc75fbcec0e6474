/**
 * "Device lost": suspend every token of one device in one step (each on its own network's route,
 * each audited), with the result of each token: requested, skipped with the rule, or failed with the code.
 */
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { type DeviceSuspendResult, deviceLost, type LifecycleReason, type TokenOutcome } from '../data';
import { ErrorBox, Page, REASONS, useConsole } from '../ui';

const RESULT_WORDS: Record<string, string> = {
  REQUESTED: 'Suspension requested',
  SKIPPED: 'Skipped, nothing sent',
  FAILED: 'Failed',
  UNKNOWN: 'Sent; the answer does not say',
};

export function ResultsTable(props: { title: string; results: TokenOutcome[] }): VNode {
  return html`<section aria-labelledby="results-title" class="results">
    <h3 id="results-title" tabindex="-1">${props.title}</h3>
    ${
      props.results.length
        ? html`<table>
            <thead>
              <tr>
                <th scope="col">Token</th>
                <th scope="col">Result</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              ${props.results.map(
                (r) =>
                  html`<tr class=${`result-${r.result.toLowerCase()}`}>
                    <td><a href=${`#/tokens/${encodeURIComponent(r.tokenId)}`}>${r.tokenId}</a></td>
                    <td>${RESULT_WORDS[r.result] ?? r.result}</td>
                    <td>
                      ${[r.rule ? `Rule: ${r.rule}` : '', r.errorCode ? `code ${r.errorCode}` : '', r.message ?? '', r.httpStatus ? `HTTP ${r.httpStatus}` : ''].filter(Boolean).join(' · ') || '—'}
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p>No token matched.</p>`
    }
  </section>`;
}

export function DeviceLostScreen(props: { cardId?: string; deviceId?: string }): VNode {
  const { api, session } = useConsole();
  const [deviceId, setDeviceId] = useState(props.deviceId ?? '');
  const [cardIds, setCardIds] = useState(props.cardId ?? '');
  const [reason, setReason] = useState<LifecycleReason>('DEVICE_LOST');
  const [comment, setComment] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<DeviceSuspendResult>();
  const inFlight = useRef(false);
  const confirmRef = useRef<HTMLDivElement>(null);
  const cards = cardIds.split(/[\s,]+/).filter(Boolean);

  const send = async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    setError(undefined);
    try {
      setResult(
        await deviceLost(api, {
          deviceId: deviceId.trim(),
          cardIds: cards,
          reason,
          ...(comment.trim() ? { comment: comment.trim() } : {}),
        }),
      );
      setConfirming(false);
    } catch (err) {
      setError(err);
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };

  const submit = (e: Event) => {
    e.preventDefault();
    if (!deviceId.trim() || !cards.length) return;
    if (!confirming) {
      setConfirming(true);
      queueMicrotask(() => confirmRef.current?.focus());
    } else void send();
  };

  if (!session?.canAct)
    return html`<${Page} title="Device lost"
      ><p>Read-only access: suspending a device’s tokens is not available.</p><//
    >`;

  return html`<${Page} title="Device lost" subtitle="Suspend every token of one device in one step.">
    <form class="device-lost" onSubmit=${submit}>
      <div class="field">
        <label for="dl-device">Device id</label>
        <input
          id="dl-device"
          type="text"
          required
          autocomplete="off"
          value=${deviceId}
          onInput=${(e: Event) => setDeviceId((e.target as HTMLInputElement).value)}
        />
      </div>
      <div class="field">
        <label for="dl-cards">Card ids <span class="hint">(the account’s cards, separated by commas)</span></label>
        <input
          id="dl-cards"
          type="text"
          required
          autocomplete="off"
          value=${cardIds}
          onInput=${(e: Event) => setCardIds((e.target as HTMLInputElement).value)}
        />
      </div>
      <div class="field">
        <label for="dl-reason">Reason</label>
        <select
          id="dl-reason"
          value=${reason}
          onChange=${(e: Event) => setReason((e.target as HTMLSelectElement).value as LifecycleReason)}
        >
          ${REASONS.filter(([v]) => v !== 'ACCOUNT_CLOSED').map(([v, l]) => html`<option value=${v}>${l}</option>`)}
        </select>
      </div>
      <div class="field">
        <label for="dl-comment">Comment <span class="hint">(optional, up to 200 characters)</span></label>
        <textarea
          id="dl-comment"
          rows="2"
          maxlength="200"
          value=${comment}
          onInput=${(e: Event) => setComment((e.target as HTMLTextAreaElement).value)}
        ></textarea>
      </div>
      ${
        confirming
          ? html`<div class="confirm" role="alertdialog" aria-labelledby="dl-confirm" tabindex="-1" ref=${confirmRef}>
              <p id="dl-confirm">
                <strong
                  >Suspend every token of device ${deviceId.trim()} on ${cards.length}
                  card${cards.length > 1 ? 's' : ''}?</strong
                >
              </p>
              <button type="submit" class="danger" disabled=${busy}>${busy ? 'Sending…' : 'Yes, suspend them'}</button>
              <button type="button" disabled=${busy} onClick=${() => setConfirming(false)}>No</button>
            </div>`
          : html`<button type="submit" class="primary">Suspend the device’s tokens…</button>`
      }
    </form>
    <${ErrorBox} error=${error} />
    ${result ? html`<${ResultsTable} title="Results per token" results=${result.results ?? []} />` : null}
  <//>`;
}
