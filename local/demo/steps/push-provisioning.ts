import { randomBytes } from 'node:crypto';
import { eventLike } from '../../seed/pismo-events';
import type { LocalStack } from '../../stack/local-stack';
import { textTable } from '../text-table';

const ACCOUNT = '100002000';

/**
 * Push provisioning from the issuer's app (issue 16): the cardholder of account 100002000, with the
 * app's token (`npm run dev-token -- --cardholder 100002000`), asks for Apple Pay's encrypted card
 * data for a fresh Visa card; the same request id again answers 409 with the first outcome (no second
 * provisioning, no payload kept); another account's card answers 404. The wallet data is shown by
 * size only: it goes to the wallet SDK, never to a log.
 */
export async function pushProvisioningDemo(stack: LocalStack): Promise<void> {
  const cardId = `6${String(Date.now() % 1_000_000).padStart(6, '0')}`;
  const tokenId = `${cardId}1`;
  console.log(`== Push provisioning from the issuer's app: Apple Pay for card ${cardId} of account ${ACCOUNT}`);
  const event = eventLike('vts-token-resume', {
    eventId: `demo-pp-${tokenId}`,
    tokenId,
    cardId: Number(cardId),
    timestamp: new Date(Date.now() - 60_000).toISOString(),
  });
  event.data.account_id = Number(ACCOUNT);
  await stack.pismo.send(`${stack.url}/pismo/events`, event);
  stack.pismo.tokenOperations.provision({ tokenId, cardId, accountId: ACCOUNT, network: 'vts' });

  const app = await stack.issuer.mint({ scope: 'cardholder', audience: stack.cardholderAudience, sub: ACCOUNT });
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${stack.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  // What PassKit hands the app: the certificate chain (DER, base64), a nonce and its signature.
  const cert = () => Buffer.concat([Buffer.from([0x30, 0x82]), randomBytes(500)]).toString('base64');
  const request = {
    requestId: `demo-${Date.now().toString(36)}`,
    certificates: [cert(), cert()],
    nonce: randomBytes(4).toString('base64'),
    nonceSignature: randomBytes(64).toString('base64'),
  };
  const first = await post(`/me/cards/${cardId}/push-provisioning/apple-pay`, request);
  const size = (v: unknown) => (typeof v === 'string' ? `${v.length} base64 characters` : '-');
  console.log(`POST /me/cards/${cardId}/push-provisioning/apple-pay → ${first.status}`);
  console.log(
    textTable(
      ['field (for PKAddPaymentPassRequest)', 'value'],
      [
        ['encryptedPassData', size(first.body.encryptedPassData)],
        ['activationData', size(first.body.activationData)],
        ['ephemeralPublicKey', size(first.body.ephemeralPublicKey)],
        ['cardholder.lastFour', (first.body.cardholder as { lastFour?: string } | undefined)?.lastFour],
      ],
    ),
  );
  const again = await post(`/me/cards/${cardId}/push-provisioning/apple-pay`, request);
  console.log(`the same request id again → ${again.status} ${String(again.body.message)}`);
  const foreign = await post('/me/cards/4995608/push-provisioning/apple-pay', {
    ...request,
    requestId: `${request.requestId}-x`,
  });
  console.log(`another account's card 4995608 → ${foreign.status} ${String(foreign.body.message)}\n`);
}
