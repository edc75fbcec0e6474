/**
 * Shared pieces of the screens: the page frame (its heading takes focus on arrival, so keyboard and
 * screen-reader users start at the top of the new screen), errors in words, loading, the action form
 * (reason, comment, confirmation for destructive actions, one request per click), and formatting.
 */
import { html } from 'htm/preact';
import { createContext, type ComponentChildren, type VNode } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { type Api, ApiError, SessionExpired } from './api';
import type { Session } from './auth';
import type { ActionRequest, LifecycleReason } from './data';

/** What every screen gets: the API client, the session (undefined while expired) and a session counter. */
export interface ConsoleContext {
  api: Api;
  /** The signed-in agent (kept while an expired session waits for a new sign-in). */
  session: Session | undefined;
  /** Increments at each sign-in: a screen that failed on an expired session loads again. */
  generation: number;
}

export const Ctx = createContext<ConsoleContext>(undefined as unknown as ConsoleContext);
export const useConsole = () => useContext(Ctx);

/** A screen: its `h1` takes the focus when the screen (or its subject) changes. */
export function Page(props: { title: string; subtitle?: string; children?: ComponentChildren }): VNode {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
    document.title = `${props.title} · Customer Service console`;
  }, [props.title]);
  return html`<section class="page" aria-labelledby="page-title">
    <h1 id="page-title" tabindex="-1" ref=${heading}>${props.title}</h1>
    ${props.subtitle ? html`<p class="subtitle">${props.subtitle}</p>` : null} ${props.children}
  </section>`;
}

/** An error in words: what happened, the rule or network code, and what to do next. */
export function ErrorBox(props: { error: unknown }): VNode | null {
  const e = props.error;
  if (!e || e instanceof SessionExpired) return null;
  if (e instanceof ApiError)
    return html`<div class="error" role="alert">
      <p><strong>${e.title}</strong></p>
      ${e.rule ? html`<p class="rule">Rule: ${e.rule}</p>` : null}
      ${e.detail && !e.rule ? html`<p class="detail">${e.detail}</p>` : null}
      <p class="next">${e.next}</p>
    </div>`;
  return html`<div class="error" role="alert">
    <p><strong>${e instanceof Error ? e.message : 'Something went wrong.'}</strong></p>
    <p class="next">Reload the page; if it keeps failing, report it with the time.</p>
  </div>`;
}

export const Loading = (props: { what: string }) => html`<p class="loading" role="status">Loading ${props.what}…</p>`;

/** Loads data for a screen; loads again after a new sign-in when the last try found the session expired. */
export function useLoad<T>(load: (api: Api) => Promise<T>, deps: unknown[]) {
  const { api, generation } = useConsole();
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const expiredAt = useRef(-1);
  const run = useCallback(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    load(api).then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => {
        if (error instanceof SessionExpired) expiredAt.current = generation;
        if (live) setState((s) => ({ ...s, error, loading: false }));
      },
    );
    return () => {
      live = false;
    };
  }, [api, ...deps]);
  useEffect(run, [run]);
  useEffect(() => {
    if (expiredAt.current >= 0 && expiredAt.current !== generation) {
      expiredAt.current = -1;
      run();
    }
  }, [generation, run]);
  return { ...state, reload: run, setData: (data: T) => setState({ data, loading: false }) };
}

/** Reasons the lifecycle API accepts. */
export const REASONS: [LifecycleReason, string][] = [
  ['DEVICE_LOST', 'Device lost'],
  ['DEVICE_STOLEN', 'Device stolen'],
  ['FRAUD_SUSPECTED', 'Fraud suspected'],
  ['CARDHOLDER_REQUEST', 'Cardholder request'],
  ['ACCOUNT_CLOSED', 'Account closed'],
  ['OTHER', 'Other'],
];

export const ACTION_LABELS: Record<string, string> = {
  suspend: 'Suspend',
  resume: 'Resume',
  delete: 'Delete',
  activate: 'Activate',
  approveDeviceBinding: 'Approve device binding',
};

/** Destructive actions ask for confirmation. */
export const DESTRUCTIVE = new Set(['delete']);

let formSeq = 0;

/**
 * One action with its reason and comment. Submitting twice (a double click) sends one request: the
 * button is disabled and a guard ignores a second submit while one is in flight. A destructive action
 * shows a confirmation step first, which takes the focus.
 */
export function ActionForm(props: {
  action: string;
  label?: string;
  subject: string;
  destructive?: boolean;
  /** Extra fields (activation code) rendered inside the form. */
  extra?: VNode | null;
  defaultReason?: LifecycleReason;
  submit: (body: ActionRequest) => Promise<unknown>;
  onDone: (result: unknown) => void;
  onCancel?: () => void;
}): VNode {
  const [id] = useState(() => `f${++formSeq}`);
  const [reason, setReason] = useState<LifecycleReason | ''>(props.defaultReason ?? '');
  const [comment, setComment] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const inFlight = useRef(false);
  const confirmRef = useRef<HTMLDivElement>(null);
  const label = props.label ?? ACTION_LABELS[props.action] ?? props.action;

  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  const send = async () => {
    if (inFlight.current || !reason) return;
    inFlight.current = true;
    setBusy(true);
    setError(undefined);
    try {
      const result = await props.submit({ reason, ...(comment.trim() ? { comment: comment.trim() } : {}) });
      setConfirming(false);
      props.onDone(result);
    } catch (err) {
      setError(err);
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };

  const onSubmit = (e: Event) => {
    e.preventDefault();
    if (!reason) return;
    if (props.destructive && !confirming) setConfirming(true);
    else void send();
  };

  return html`<form class="action-form" onSubmit=${onSubmit} aria-labelledby=${`${id}-title`}>
    <h3 id=${`${id}-title`}>${label} ${props.subject}</h3>
    <div class="field">
      <label for=${`${id}-reason`}>Reason</label>
      <select
        id=${`${id}-reason`}
        required
        value=${reason}
        onChange=${(e: Event) => setReason((e.target as HTMLSelectElement).value as LifecycleReason)}
      >
        <option value="">Choose a reason</option>
        ${REASONS.map(([v, l]) => html`<option value=${v}>${l}</option>`)}
      </select>
    </div>
    <div class="field">
      <label for=${`${id}-comment`}>Comment <span class="hint">(optional, up to 200 characters)</span></label>
      <textarea
        id=${`${id}-comment`}
        maxlength="200"
        rows="2"
        value=${comment}
        onInput=${(e: Event) => setComment((e.target as HTMLTextAreaElement).value)}
      ></textarea>
    </div>
    ${props.extra}
    ${
      confirming
        ? html`<div
            class="confirm"
            role="alertdialog"
            aria-labelledby=${`${id}-confirm`}
            tabindex="-1"
            ref=${confirmRef}
          >
            <p id=${`${id}-confirm`}><strong>${label} ${props.subject}?</strong> This cannot be undone.</p>
            <button type="submit" class="danger" disabled=${busy}>
              ${busy ? 'Sending…' : `Yes, ${label.toLowerCase()}`}
            </button>
            <button type="button" onClick=${() => setConfirming(false)} disabled=${busy}>No, keep it</button>
          </div>`
        : html`<div class="buttons">
            <button type="submit" class=${props.destructive ? 'danger' : 'primary'} disabled=${busy}>
              ${busy ? 'Sending…' : label}
            </button>
            ${props.onCancel ? html`<button type="button" onClick=${props.onCancel}>Cancel</button>` : null}
          </div>`
    }
    <${ErrorBox} error=${error} />
  </form>`;
}

export const fmtTime = (iso: string | undefined) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC') : '—');

const isVNode = (v: unknown): v is VNode => typeof v === 'object' && v !== null && 'props' in v && 'type' in v;

/** A definition list of the non-empty facts. */
export function Facts(props: { rows: [string, unknown][] }): VNode {
  const rows = props.rows.filter(([, v]) => v !== undefined && v !== null && v !== '');
  return html`<dl class="facts">
    ${rows.map(
      ([k, v]) =>
        html`<div>
          <dt>${k}</dt>
          <dd>${isVNode(v) ? v : typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd>
        </div>`,
    )}
  </dl>`;
}

export const StatusBadge = (props: { status?: string }) =>
  html`<span class=${`status status-${props.status ?? 'unknown'}`}>${props.status ?? 'unknown'}</span>`;
