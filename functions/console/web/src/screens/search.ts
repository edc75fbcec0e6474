/**
 * Search by card id, token id, TUR or PAN. A card or token id opens its screen. A TUR or a PAN goes
 * to the API in a POST body only; the PAN field is emptied as soon as the search is sent and the PAN
 * is shown masked (last four digits) from then on: it never reaches a URL, the history, storage or a log.
 */
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { searchById, searchByPan } from '../data';
import { ErrorBox, fmtTime, Page, StatusBadge, useConsole } from '../ui';
import { networkLabel } from './token';

type Kind = 'card' | 'token' | 'tur' | 'pan';

const KINDS: [Kind, string, string][] = [
  ['card', 'Card id', 'e.g. 4995608'],
  ['token', 'Token id', 'e.g. 17556'],
  ['tur', 'Token Unique Reference (TUR)', 'e.g. DWSPMC000…'],
  ['pan', 'Card number (PAN)', '13 to 19 digits'],
];

interface Hit {
  tokenId?: string;
  tur?: string;
  network?: string;
  status?: string;
  cardId?: string;
  wallet?: string;
  device?: string;
  extra?: string;
}

/** `•••• 1234`: all the screen ever shows of a searched PAN. */
export const maskPan = (pan: string) => `•••• •••• •••• ${pan.replace(/\D/g, '').slice(-4)}`;

export function SearchScreen(): VNode {
  const { api } = useConsole();
  const [kind, setKind] = useState<Kind>('card');
  const [value, setValue] = useState('');
  const [searched, setSearched] = useState<string>();
  const [hits, setHits] = useState<Hit[]>();
  const [cards, setCards] = useState<string[]>([]);
  const [note, setNote] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (e: Event) => {
    e.preventDefault();
    const v = value.trim();
    if (!v || busy) return;
    if (kind === 'pan') {
      // Off the screen at once: only the request body carries it.
      setValue('');
      setSearched(maskPan(v));
    } else setSearched(v);
    setBusy(true);
    setError(undefined);
    setHits(undefined);
    setCards([]);
    setNote(undefined);
    try {
      if (kind === 'pan') {
        const answer = await searchByPan(api, v.replace(/\D/g, ''));
        setHits(
          answer.tokens.map((t) => ({
            tokenId: t.tokenId,
            tur: t.tokenUniqueReference,
            network: 'MDES',
            status: t.status,
            wallet: t.walletId ?? t.tokenRequestorId,
            device: t.deviceName,
            extra: t.suspenders.length ? `suspended by ${t.suspenders.join(', ')}` : undefined,
          })),
        );
        setNote('Mastercard tokens of this card number, as MDES knows them.');
      } else {
        const answer = await searchById(api, kind === 'card' ? 'cardId' : kind === 'token' ? 'tokenId' : 'tur', v);
        setHits(
          answer.matches.map((m) => ({
            tokenId: m.tokenId,
            tur: m.tokenUniqueReference,
            network: m.network,
            status: m.status,
            cardId: m.cardId,
            wallet: m.walletName,
            device: m.deviceName,
            extra: m.lastEventAt ? `last event ${fmtTime(m.lastEventAt)}` : undefined,
          })),
        );
        setCards(answer.cards);
        if (answer.collision) setNote('Several tokens carry this TUR (a collision): all are listed.');
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const current = KINDS.find((k) => k[0] === kind) ?? (KINDS[0] as (typeof KINDS)[number]);
  return html`<${Page} title="Search">
    <form class="search" onSubmit=${submit} method="post" autocomplete="off">
      <fieldset>
        <legend>Search by</legend>
        ${KINDS.map(
          ([k, label]) =>
            html`<label class="radio">
              <input
                type="radio"
                name="kind"
                value=${k}
                checked=${kind === k}
                onChange=${() => {
                  setKind(k);
                  setValue('');
                }}
              />
              ${label}
            </label>`,
        )}
      </fieldset>
      <div class="field">
        <label for="search-value">${current[1]}</label>
        <input
          id="search-value"
          name=${kind === 'pan' ? 'card-number-search' : 'search-value'}
          type="text"
          inputmode=${kind === 'pan' ? 'numeric' : 'text'}
          autocomplete="off"
          spellcheck=${false}
          placeholder=${current[2]}
          value=${value}
          onInput=${(e: Event) => setValue((e.target as HTMLInputElement).value)}
          required
        />
      </div>
      <button type="submit" class="primary" disabled=${busy}>${busy ? 'Searching…' : 'Search'}</button>
    </form>
    <${ErrorBox} error=${error} />
    ${
      searched
        ? html`<section aria-labelledby="results-title" aria-live="polite">
            <h2 id="results-title">Results for <span class="searched">${searched}</span></h2>
            ${busy ? html`<p role="status">Searching…</p>` : null} ${note ? html`<p class="hint">${note}</p>` : null}
            ${
              cards.length
                ? html`<p>
                    Card${cards.length > 1 ? 's' : ''}:
                    ${cards.map((c, i) => html`${i ? ', ' : ''}<a href=${`#/cards/${encodeURIComponent(c)}`}>${c}</a>`)}
                  </p>`
                : null
            }
            ${hits && !hits.length ? html`<p>No token found.</p>` : null}
            ${
              hits?.length
                ? html`<table>
                    <thead>
                      <tr>
                        <th scope="col">Token</th>
                        <th scope="col">Network</th>
                        <th scope="col">Status</th>
                        <th scope="col">Card</th>
                        <th scope="col">Wallet / device</th>
                        <th scope="col">Details</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${hits.map(
                        (h) =>
                          html`<tr>
                            <td>
                              ${h.tokenId ? html`<a href=${`#/tokens/${encodeURIComponent(h.tokenId)}`}>${h.tokenId}</a>` : (h.tur ?? '—')}
                            </td>
                            <td>${networkLabel(h.network)}</td>
                            <td><${StatusBadge} status=${h.status} /></td>
                            <td>
                              ${h.cardId ? html`<a href=${`#/cards/${encodeURIComponent(h.cardId)}`}>${h.cardId}</a>` : '—'}
                            </td>
                            <td>${[h.wallet, h.device].filter(Boolean).join(' · ') || '—'}</td>
                            <td>
                              ${h.tokenId ? '' : html`<span class="hint">not in our store</span> `}${h.extra ?? ''}
                            </td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>`
                : null
            }
          </section>`
        : null
    }
  <//>`;
}
