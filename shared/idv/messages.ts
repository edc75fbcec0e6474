/** Cardholder message templates per language (consumer language from the network when present). */
export type MessageKind = 'OTP' | 'CARD_ADDED' | 'REMINDER';

const TEMPLATES: Record<string, Record<MessageKind, { subject: string; body: string }>> = {
  en: {
    OTP: {
      subject: 'Your verification code',
      body: 'Your code to add your card to {wallet} is {code}. It expires at {expires}. Never share it.',
    },
    CARD_ADDED: { subject: 'Card added', body: 'Your card was added to {wallet}. If this was not you, call us now.' },
    REMINDER: {
      subject: 'Finish adding your card',
      body: 'You started adding your card to {wallet}. Open the wallet to finish, or ignore this message.',
    },
  },
  pt: {
    OTP: {
      subject: 'Seu código de verificação',
      body: 'Seu código para adicionar o cartão à {wallet} é {code}. Expira em {expires}. Não compartilhe.',
    },
    CARD_ADDED: {
      subject: 'Cartão adicionado',
      body: 'Seu cartão foi adicionado à {wallet}. Se não foi você, ligue para nós agora.',
    },
    REMINDER: {
      subject: 'Conclua a inclusão do cartão',
      body: 'Você começou a adicionar seu cartão à {wallet}. Abra a carteira para concluir.',
    },
  },
  es: {
    OTP: {
      subject: 'Tu código de verificación',
      body: 'Tu código para agregar la tarjeta a {wallet} es {code}. Vence {expires}. No lo compartas.',
    },
    CARD_ADDED: {
      subject: 'Tarjeta agregada',
      body: 'Tu tarjeta fue agregada a {wallet}. Si no fuiste tú, llámanos ahora.',
    },
    REMINDER: {
      subject: 'Termina de agregar tu tarjeta',
      body: 'Empezaste a agregar tu tarjeta a {wallet}. Abre la billetera para terminar.',
    },
  },
};

/** Longest value interpolated into a message: an SMS segment is 160 characters. */
export const MAX_MESSAGE_VALUE = 40;

/**
 * What may be interpolated into a cardholder message: printable text only (no control, format or
 * line-separator characters, no template braces or markup), whitespace collapsed, capped in length.
 * Every value passes here whatever its source, so a value from network data cannot smuggle bytes or
 * a second line into an SMS.
 */
export function messageValue(value: string): string {
  const clean = value
    .normalize('NFKC')
    .replace(/[\s\p{Z}]+/gu, ' ')
    .replace(/[\p{C}<>{}\\]/gu, '')
    .replace(/ {2,}/g, ' ')
    .trim();
  // Cut by code points, never inside a surrogate pair.
  return Array.from(clean).slice(0, MAX_MESSAGE_VALUE).join('');
}

/** Renders a message; unknown languages fall back to English. Every value passes {@link messageValue}. */
export function renderMessage(kind: MessageKind, language: string | undefined, values: Record<string, string>) {
  const lang = (language ?? 'en').slice(0, 2).toLowerCase();
  const t = (TEMPLATES[lang] ?? TEMPLATES.en)?.[kind] ?? { subject: '', body: '' };
  const fill = (s: string) => s.replace(/\{(\w+)\}/g, (_, k: string) => messageValue(values[k] ?? ''));
  return { subject: fill(t.subject), body: fill(t.body) };
}
