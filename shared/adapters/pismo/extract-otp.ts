import type { PismoEvent } from './event-schemas';
import { obj, text } from './network-fields';

const CHALLENGE_METHODS: ReadonlySet<string> = new Set(['AC', 'VTS_PASSCODE']);

/**
 * Whether the event asks the issuer to deliver a code: a `send_challenge` event, a notification
 * carrying `data.send_challenge` (Pismo: "present when the issuer is responsible for sending the
 * OTP"), or the network's own code message (MDES AC, VTS_PASSCODE). All start the same ID&V delivery.
 */
export function carriesChallenge(event: PismoEvent): boolean {
  if (event.kind === 'send_challenge') return true;
  if (event.kind !== 'notification') return false;
  return Boolean(event.data.send_challenge) || CHALLENGE_METHODS.has(event.data.network_call_method.toUpperCase());
}

/**
 * The one place that reads the code the issuer must deliver: `send_challenge.otp_value` (event or
 * notification field), MDES AC `activation_code.sf2_activation_code`, or VTS_PASSCODE `otpValue`.
 * The result goes only into the challenge item (removed after delivery), never to logs or events.
 */
export function extractOtp(event: PismoEvent): string | undefined {
  if (event.kind === 'send_challenge') return text(event.data.otp_value);
  if (event.kind !== 'notification') return undefined;
  const nd = event.data.network_data ?? {};
  const ac = obj(obj(obj(nd.de124_member_defined_data)?.mdes_data)?.activation_code);
  return text(event.data.send_challenge?.otp_value) ?? text(ac?.sf2_activation_code) ?? text(nd.otpValue);
}
