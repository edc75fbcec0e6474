import type { PismoEvent } from './event-schemas';
import { obj, text } from './network-fields';

/**
 * The one place that reads the code the network asks us to deliver: MDES AC
 * `activation_code.sf2_activation_code`, VTS_PASSCODE `otpValue`, or `send_challenge` `otp_value`.
 * The result goes only into the challenge item (removed after delivery), never to logs or events.
 */
export function extractOtp(event: PismoEvent): string | undefined {
  if (event.event_type === 'send_challenge') return text(event.data.otp_value);
  const nd = event.data.network_data ?? {};
  const ac = obj(obj(obj(nd.de124_member_defined_data)?.mdes_data)?.activation_code);
  return text(ac?.sf2_activation_code) ?? text(nd.otpValue);
}
