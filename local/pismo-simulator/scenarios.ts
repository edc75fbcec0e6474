import { seedEvent } from '../seed/pismo-events';

/**
 * Provisioning scenarios for Pismo's tokenization anti-fraud webhook, built from the seed's real
 * MDES TA and VTS approve-provisioning messages: `yellow` is the seed message as it is (it was
 * followed by an activation code / passcode in Pismo's examples), `green` and `red` change only
 * the fields named in `changes`.
 */
export interface DecisionScenario {
  name: string;
  network: 'mdes' | 'vts';
  expected: 'APPROVED' | 'REQUIRE_ADDITIONAL_AUTHENTICATION' | 'DECLINED';
  changes: string;
  request: Record<string, unknown>;
}

type Nd = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

function card(status = 'NORMAL') {
  return { id: 4995608, type: 'CREDIT', program_id: 1001, bin: '545454', status, stage: 'UNBLOCKED' };
}

function mdes(tokenId: number, edit: (ta: Record<string, unknown>) => void, cardStatus?: string) {
  const nd = seedEvent('mdes-ta').data.network_data as Nd;
  const ta = nd.de124_member_defined_data?.mdes_data?.token_authorization ?? {};
  edit(ta);
  return {
    token_id: tokenId,
    account_id: 100001185,
    network_brand: 'mdes',
    network_call_method: 'TA',
    custom_codes: [],
    card: card(cardStatus),
    original_network_data: nd,
  };
}

interface VtsMessage {
  panSource?: string;
  riskInformation?: Record<string, unknown>;
}

function vts(tokenId: number, edit: (nd: VtsMessage) => void) {
  const nd = seedEvent('vts-approve-provisioning').data.network_data as VtsMessage;
  edit(nd);
  return {
    token_id: tokenId,
    network_brand: 'vts',
    network_call_method: 'VTS_APPROVE_PROVISIONING',
    custom_codes: [],
    card: { ...card(), id: 5271995 },
    original_network_data: nd,
  };
}

export const DECISION_SCENARIOS: DecisionScenario[] = [
  {
    name: 'mdes-green',
    network: 'mdes',
    expected: 'APPROVED',
    changes: 'wallet recommends approve (sf7=1), PAN from the issuer app (sf2=3), device score 4, account score 5',
    request: mdes(27001, (ta) =>
      Object.assign(ta, {
        sf7_wallet_provider_token_recomendation: '1',
        sf2_primary_account_number_source: '3',
        sf9_wallet_provider_device_score: '4',
        sf10_wallet_provider_account_score: '5',
      }),
    ),
  },
  {
    name: 'mdes-yellow',
    network: 'mdes',
    expected: 'REQUIRE_ADDITIONAL_AUTHENTICATION',
    changes: 'none: the seed TA (wallet recommends ID&V, PAN keyed in, device score 1)',
    request: mdes(27002, () => undefined),
  },
  {
    name: 'mdes-red',
    network: 'mdes',
    expected: 'DECLINED',
    changes: 'card BLOCKED and wallet recommends decline (sf7=0)',
    request: mdes(27003, (ta) => Object.assign(ta, { sf7_wallet_provider_token_recomendation: '0' }), 'BLOCKED'),
  },
  {
    name: 'vts-green',
    network: 'vts',
    expected: 'APPROVED',
    changes: 'PAN from the issuer app, wallet scores 4',
    request: vts(27004, (nd) => {
      nd.panSource = 'MOBILE_BANKING_APP';
      Object.assign(nd.riskInformation ?? {}, { walletProviderDeviceScore: '4', walletProviderAccountScore: '4' });
    }),
  },
  {
    name: 'vts-yellow',
    network: 'vts',
    expected: 'REQUIRE_ADDITIONAL_AUTHENTICATION',
    changes: 'none: the seed approve-provisioning (PAN keyed in)',
    request: vts(27005, () => undefined),
  },
  {
    name: 'vts-red',
    network: 'vts',
    expected: 'DECLINED',
    changes: 'Visa token score 95 and device country US vs wallet account BR',
    request: vts(27006, (nd) => Object.assign(nd.riskInformation ?? {}, { visaTokenScore: '95', deviceCountry: 'US' })),
  },
];
