import { createHash } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { setTimeout as delay } from 'node:timers/promises';
import { mdesActiveToken } from '../../seed/idv-events';
import { eventLike } from '../../seed/pismo-events';
import type { LocalStack } from '../../stack/local-stack';
import { textTable } from '../text-table';

type Json = Record<string, unknown>;
interface Card extends Json {
  tokenId: string;
  status?: string;
  canTurnOff: boolean;
  canTurnOn: boolean;
  reason?: string;
}
interface Group {
  device: { name: string };
  wallet: { name: string };
  digitalCards: Card[];
}

/**
 * The cardholder API for the issuer's app (docs/flows/cardholder.md): a cardholder session with the
 * app's own JWT (audience of the cardholder authorizer, scope `cardholder`, subject the Pismo account).
 * A fresh account each run holds two Visa tokens on two devices (through the Pismo simulator's token
 * operations) and a Mastercard token the wallet suspended (an MDES TV, requestor "wallet"). The
 * session lists its digital cards per device and wallet, turns one off and on again (our status
 * follows the simulator's `patch` events), tries the grey toggle (409 with the reason), and tries
 * another account's token (404).
 */
export async function cardholderDemo(stack: LocalStack): Promise<void> {
  const run = Date.now() % 100_000_000;
  const account = `4${String(run).padStart(8, '0')}`;
  const cardId = `6${String(run % 1_000_000).padStart(6, '0')}`;
  const [phone, watch] = [`${cardId}1`, `${cardId}2`];
  console.log(
    `== Cardholder session in the issuer's app: account ${account} (JWT audience ${stack.cardholderAudience})`,
  );
  const post = (e: unknown) => stack.pismo.send(`${stack.url}/pismo/events`, e);
  const devices: [string, string][] = [
    [phone, "Daniel's Pixel"],
    [watch, "Daniel's Watch"],
  ];
  for (const [tokenId, name] of devices) {
    const event = eventLike('vts-token-resume', {
      eventId: `demo-ch-${tokenId}`,
      tokenId,
      cardId: Number(cardId),
      timestamp: new Date(Date.now() - 60_000).toISOString(),
    });
    event.data.account_id = Number(account);
    const nd = event.data.network_data as Json;
    nd.deviceID = `dev-${tokenId}`;
    nd.tokenRequestorID = '40010075001';
    nd.deviceInfo = { deviceName: Buffer.from(name).toString('base64'), deviceType: 'MOBILE_PHONE' };
    await post(event);
    stack.pismo.tokenOperations.provision({ tokenId, cardId, accountId: account, network: 'vts' });
  }
  // A Mastercard token on the same phone, suspended by the wallet (MDES TV: indicator 6, requestor 0).
  const mc = `dch${run.toString(36)}`;
  const tur = `DAPLMC${createHash('sha256').update(mc).digest('hex').slice(0, 42)}`;
  const [ta, resync] = mdesActiveToken(mc, tur);
  if (!ta || !resync) throw new Error('no seed events');
  (ta.data as Json).account_id = Number(account);
  for (const e of [ta, resync]) await post(e);
  stack.mdes.provision({ tur, status: 'A' });
  const tv = eventLike('mdes-tv-deleted', {
    eventId: `demo-tv-${mc}`,
    tokenId: mc,
    timestamp: new Date(Date.now() + 2000).toISOString(),
  });
  tv.data.account_id = Number(account);
  const notification = (tv.data.network_data as Record<string, Record<string, Record<string, Json>>>)
    .de124_member_defined_data?.mdes_data?.tokenization_event_notification;
  if (notification) Object.assign(notification, { sf2_event_indicator: '6', sf4_event_requestor: '0' });
  await post(tv);

  const jwt = await stack.issuer.mint({
    scope: 'cardholder',
    audience: stack.cardholderAudience,
    sub: account,
    name: 'Daniel K.',
  });
  const api = async (method: 'GET' | 'POST', p: string) => {
    const res = await fetch(`${stack.url}${p}`, { method, headers: { authorization: `Bearer ${jwt}` } });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const list = async () => ((await api('GET', '/me/digital-cards')).body.devices as Group[] | undefined) ?? [];
  const show = async () => {
    const rows = (await list()).flatMap((g) =>
      g.digitalCards.map((c) => [
        g.device.name,
        g.wallet.name,
        c.tokenId,
        c.status ?? '-',
        c.canTurnOff ? 'yes' : 'no',
        c.canTurnOn ? 'yes' : 'no',
        c.reason ?? '-',
      ]),
    );
    console.log(
      textTable(
        ['device', 'wallet', 'digital card', 'status', 'can turn off', 'can turn on', 'grey toggle: why'],
        rows,
      ),
      '\n',
    );
  };
  /** Our status once the network's event has arrived (polls; the simulator's event comes in the background). */
  const settle = async (tokenId: string, expected: string) => {
    const statusOf = async () =>
      (await list()).flatMap((g) => g.digitalCards).find((c) => c.tokenId === tokenId)?.status;
    for (let i = 0; i < 250 && (await statusOf()) !== expected; i++) await delay(20);
    return statusOf();
  };

  console.log(`GET /me/digital-cards (grouped by device and wallet; the toggles from the multi-suspender rule):`);
  await show();
  const rows: string[][] = [];
  const act = async (label: string, tokenId: string, action: string, expected?: string) => {
    const res = await api('POST', `/me/digital-cards/${tokenId}/${action}`);
    const after = res.status === 202 && expected ? await settle(tokenId, expected) : '-';
    rows.push([
      label,
      `POST /me/digital-cards/${tokenId}/${action}`,
      String(res.status),
      String(after),
      String(res.body.message ?? '-'),
    ]);
  };
  await act('turn the phone off', phone, 'turn-off', 'suspended');
  await act('turn it back on', phone, 'turn-on', 'active');
  await act('the grey toggle', mc, 'turn-on');
  await act("another account's token", '17556', 'turn-off');
  console.log(textTable(['cardholder', 'request', 'HTTP', 'status after the event', 'reason'], rows), '\n');
  const audit =
    (
      await stack.dynamo.client.send(
        new QueryCommand({
          TableName: stack.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
          ExpressionAttributeValues: { ':pk': { S: `TOKEN#${phone}` }, ':sk': { S: 'AUDIT#' } },
        }),
      )
    ).Items ?? [];
  console.log(
    `Audit of ${phone}: ${audit
      .map((i) => `${i.operation?.S} ${i.outcome?.S} by ${i.actorKind?.S ?? 'agent'} ${i.userId?.S}`)
      .join('; ')}\n`,
  );
}
