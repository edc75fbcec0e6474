import { createHash } from 'node:crypto';
import { SEARCH_CRITERIA } from '../../shared/adapters/mdes/contract';
import { SimError } from './reply';
import { type IssuerAction, STATUS_DESCRIPTIONS, type SimToken, type TokenVault } from './vault';

/** A token as the API shows it (search results): the PAN only as a hashed reference, the token by suffix. */
function tokenView(t: SimToken) {
  return {
    TokenUniqueReference: t.tur,
    PrimaryAccountNumberUniqueReference: `FSHRMC${createHash('sha256').update(t.accountPan).digest('hex').slice(0, 42)}`,
    TokenSuffix: t.tokenNumber.slice(-4),
    ExpirationDate: t.expirationDate,
    CurrentStatusCode: t.status,
    CurrentStatusDescription: STATUS_DESCRIPTIONS[t.status],
    CurrentStatusDateTime: t.history.at(-1)?.StatusDateTime,
    ProvisioningStatusCode: t.status === 'U' ? 'A' : 'S',
    TokenRequestorId: t.tokenRequestorId,
    WalletId: t.walletId,
    PaymentAppInstanceId: t.paymentAppInstanceId,
    TokenType: 'C',
    StorageTechnology: t.storageTechnology,
    TokenAssuranceLevel: String(t.assuranceLevel),
    ...(t.comments.length ? { LastCommentId: t.comments.at(-1)?.CommentId } : {}),
    ...(t.suspenders.size ? { Suspenders: { Suspender: [...t.suspenders] } } : {}),
    Device: { DeviceName: t.deviceName, DeviceType: '09' },
    TokenDeletedFromConsumerApp: 'false',
  };
}

function search(vault: TokenVault, r: Record<string, string>) {
  const criteria = SEARCH_CRITERIA.filter((k) => r[k] !== undefined);
  if (criteria.length !== 1)
    throw new SimError(
      400,
      'INVALID_FIELD_VALUE',
      'exactly one search criterion is allowed',
      criteria[1] ?? 'SearchRequest',
    );
  const all = [...vault.values()];
  const found = all
    .filter((t) =>
      r.AccountPan
        ? t.accountPan === r.AccountPan
        : r.TokenUniqueReference
          ? t.tur === r.TokenUniqueReference
          : r.Token
            ? t.tokenNumber === r.Token
            : r.PaymentAppInstanceId
              ? t.paymentAppInstanceId === r.PaymentAppInstanceId
              : r.CommentId
                ? t.comments.some((c) => c.CommentId === r.CommentId)
                : false,
    )
    .filter((t) => r.ExcludeDeletedIndicator !== 'true' || t.status !== 'D')
    // The FAQ: device-based tokens are any storage technology except H (server).
    .filter((t) => r.IncludeDeviceTokenOnly !== 'true' || t.storageTechnology !== 'H');
  const byPan = new Map<string, SimToken[]>();
  for (const t of found) byPan.set(t.accountPan, [...(byPan.get(t.accountPan) ?? []), t]);
  return {
    SearchResponse: {
      Accounts: {
        Account: [...byPan].map(([pan, tokens]) => ({
          AccountPanSuffix: pan.slice(-4),
          ExpirationDate: tokens[0]?.expirationDate,
          Tokens: { Token: tokens.map((t) => tokenView(t)) },
        })),
      },
    },
  };
}

const ACTIVATION_METHODS = [
  {
    ActivationMethodId: '1',
    ActivationMethodType: 'SMS',
    ActivationMethodValue: '(###) ###-7728',
    ResendIndicator: 'true',
  },
  {
    ActivationMethodId: '2',
    ActivationMethodType: 'EMA',
    ActivationMethodValue: 'a***@e***.com',
    ResendIndicator: 'true',
  },
  {
    ActivationMethodId: '3',
    ActivationMethodType: 'CLC',
    ActivationMethodValue: '0800-555-0199',
    ResendIndicator: 'false',
  },
];

/**
 * Applies one of the 15 operations (by its path, below the API's base path) to the vault and returns
 * the response body. `r` is the request inside its wrapper (e.g. `SearchRequest`), already
 * validated against the spec. Refusals are thrown as `SimError`s.
 */
export function executeOperation(vault: TokenVault, path: string, r: Record<string, string>): unknown {
  const audit = (r.AuditInfo ?? {}) as unknown as Record<string, string>;
  const call: IssuerAction = { ReasonCode: r.ReasonCode, CommentText: r.CommentText, audit };
  const simple = (key: string, t: SimToken, commentId?: string) => ({
    [key]: { Token: { TokenUniqueReference: t.tur, ...(commentId ? { CommentId: commentId } : {}) } },
  });
  switch (path) {
    case '/systemstatus':
      return {
        SystemStatusResponse: {
          CommentText: 'MDES is operating normally',
          LastStatusDateTime: new Date().toISOString(),
        },
      };
    case '/search':
      return search(vault, r);
    case '/token/activate': {
      const t = r.TokenUniqueReference
        ? vault.token(r.TokenUniqueReference)
        : [...vault.values()].find(
            (x) => x.accountPan === r.AccountPan && x.paymentAppInstanceId === r.PaymentAppInstanceId,
          );
      if (!t) throw new SimError(404, 'TOKEN_NOT_FOUND', 'no token for this AccountPan and PaymentAppInstanceId');
      return simple('TokenActivateResponse', t, vault.activateToken(t, call));
    }
    case '/token/activationmethods': {
      const t = vault.token(r.TokenUniqueReference);
      vault.requireStatus(t, 'activationMethods');
      return { TokenActivationMethodsResponse: { ActivationMethods: { ActivationMethod: ACTIVATION_METHODS } } };
    }
    case '/token/comments': {
      const t = vault.token(r.TokenUniqueReference);
      return { TokenCommentsResponse: { Comments: { Comment: t.comments } } };
    }
    case '/token/delete': {
      const t = vault.token(r.TokenUniqueReference);
      return simple('TokenDeleteResponse', t, vault.deleteToken(t, call));
    }
    case '/token/resendactivationcode': {
      const t = vault.token(r.TokenUniqueReference);
      vault.requireStatus(t, 'resendActivationCode');
      if (!['1', '2'].includes(r.ActivationMethodId ?? ''))
        throw new SimError(
          400,
          'INVALID_FIELD_VALUE',
          'no resendable activation method with this id',
          'ActivationMethodId',
        );
      return { TokenResendActivationCodeResponse: { Token: { TokenUniqueReference: t.tur } } };
    }
    case '/token/resetmobilepin': {
      const t = vault.token(r.TokenUniqueReference);
      vault.requireStatus(t, 'resetMobilePin');
      return simple('TokenResetMobilePinResponse', t, vault.comment(t, r.CommentText, audit));
    }
    case '/token/statushistory': {
      const t = vault.token(r.TokenUniqueReference);
      return { TokenStatusHistoryResponse: { Statuses: { Status: t.history } } };
    }
    case '/token/suspend': {
      const t = vault.token(r.TokenUniqueReference);
      return simple('TokenSuspendResponse', t, vault.suspendToken(t, call));
    }
    case '/token/unsuspend': {
      const t = vault.token(r.TokenUniqueReference);
      return simple('TokenUnsuspendResponse', t, vault.unsuspendToken(t, call));
    }
    case '/token/update': {
      const targets = r.TokenUniqueReference
        ? [vault.token(r.TokenUniqueReference)]
        : [...vault.values()].filter((t) => t.accountPan === r.CurrentAccountPan && t.status !== 'D');
      if (!targets.length)
        throw new SimError(404, 'TOKEN_NOT_FOUND', 'no token for this CurrentAccountPan', 'CurrentAccountPan');
      const mapping = r.NewAccountPan ?? r.ExpirationDate ?? r.AccountPanSequenceNumber;
      if (mapping && r.IssuerProductConfigurationId)
        throw new SimError(
          400,
          'INVALID_FIELD_VALUE',
          'PAN mapping and product configuration are mutually exclusive',
          'IssuerProductConfigurationId',
        );
      const out = targets.map((t) => {
        vault.requireStatus(t, 'update');
        if (r.NewAccountPan) t.accountPan = r.NewAccountPan;
        if (r.ExpirationDate) t.expirationDate = r.ExpirationDate;
        if (r.IssuerProductConfigurationId) t.productConfigurationId = r.IssuerProductConfigurationId;
        return { TokenUniqueReference: t.tur, CommentId: vault.comment(t, r.CommentText, audit) };
      });
      return { TokenUpdateResponse: { Tokens: { Token: out } } };
    }
    case '/transactions': {
      const t = vault.token(r.TokenUniqueReference);
      vault.requireStatus(t, 'transactions');
      const since = Date.now() - 30 * 86_400_000;
      return {
        TransactionsResponse: {
          Transactions: {
            Transaction: t.transactions.filter((x) => Date.parse(x.TransactionDateTime ?? '') >= since),
          },
        },
      };
    }
    case '/updatetokenassurance': {
      const t = vault.token(r.TokenUniqueReference);
      vault.requireStatus(t, 'updateTokenAssurance');
      t.assuranceLevel = Math.min(t.assuranceLevel + 1, 9);
      return simple('UpdateTokenAssuranceResponse', t, vault.comment(t, r.CommentText, audit));
    }
    case '/accountholdermessaging': {
      const t = vault.token(r.TokenUniqueReference);
      vault.requireStatus(t, 'accountHolderMessaging');
      t.messages.push({ ...r, AuditInfo: audit.UserId ?? '' } as Record<string, string>);
      return { AccountHolderMessagingResponse: { Token: { TokenUniqueReference: t.tur } } };
    }
    default:
      throw new SimError(404, 'RESOURCE_NOT_FOUND', `no operation ${path}`);
  }
}
