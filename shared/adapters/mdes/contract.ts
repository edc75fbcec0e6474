import * as z from '../../zod';
import { ValidationError } from '../../domain/errors';

/**
 * The MDES Customer Service API 2.0.7 wire contract (`local/mdes-simulator/specs/mdes-customer-service-2.0.7.yaml`;
 * kept with the local tooling because its examples carry test PANs), as
 * zod schemas: PascalCase fields, wrapper objects, string-typed booleans ("true"/"false").
 *
 * Requests are strict (we build them; an unknown field is our bug). Responses are loose (a field
 * Mastercard adds in a release must not break us) and every response field is optional, as in the
 * spec, which marks almost nothing required. The spec's `maxLength: 0` on many fields is an export
 * quirk and is treated as "unspecified".
 */

const str = (max: number, min = 0) => z.string().check(z.minLength(min), z.maxLength(max));
const opt = (max: number, min = 0) => z.optional(str(max, min));
const boolText = z.enum(['true', 'false']);
const digits = (min: number, max: number) =>
  z.string().check(z.regex(new RegExp(`^\\d{${min},${max}}$`), `must be ${min}-${max} digits`));

/** Luhn check over a digit string (PANs are validated before they leave). */
export function luhnValid(pan: string): boolean {
  let sum = 0;
  for (let i = 0; i < pan.length; i++) {
    let d = pan.charCodeAt(pan.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return pan.length > 0 && sum % 10 === 0;
}

const pan = digits(9, 19).check(z.refine(luhnValid, 'fails the Luhn check'));
const tur = str(48, 1);
/** The spec: "When present, the TUR field will be a 48 characters string" (Resend Activation Code). */
const tur48 = str(48, 48);

/** The spec caps an account-holder message's expiry at 30 days in the future. */
export const MESSAGE_EXPIRATION_MAX_DAYS = 30;

/** Who did it: Mastercard requires the officer's user id and name on every call. */
export const auditInfoSchema = z.strictObject({
  UserId: str(50, 1),
  UserName: str(200, 1),
  Organization: str(200, 1),
  Phone: opt(20),
});
export type AuditInfo = z.infer<typeof auditInfoSchema>;

/** Reason codes per operation, from the spec's field descriptions. */
export const REASON_CODES = {
  suspend: ['L', 'S', 'T', 'Z'],
  unsuspend: ['F', 'T', 'Z'],
  delete: ['L', 'S', 'F', 'T', 'C', 'Z'],
  activate: ['A', 'C'],
  resetMobilePin: ['N', 'R'],
} as const;

const comment = z.optional(str(500));

/** The search criteria of Search: exactly one per request. */
export const SEARCH_CRITERIA = [
  'AccountPan',
  'TokenUniqueReference',
  'Token',
  'PaymentAppInstanceId',
  'CommentId',
  'AlternateAccountIdentifier',
] as const;
export type SearchCriterion = (typeof SEARCH_CRITERIA)[number];

export const searchRequestSchema = z
  .strictObject({
    AccountPan: z.optional(pan),
    TokenUniqueReference: z.optional(tur),
    Token: z.optional(digits(9, 19)),
    PaymentAppInstanceId: z.optional(str(48, 1)),
    CommentId: z.optional(str(64, 1)),
    // The spec: "Space characters are not allowed."
    AlternateAccountIdentifier: z.optional(
      str(64, 9).check(z.regex(/^[^\s]+$/, 'must not contain spaces (the spec allows none)')),
    ),
    ExcludeDeletedIndicator: z.optional(boolText),
    /**
     * Named by the Customer Service FAQ (not in the 2.0.7 document): "true" returns device-based tokens
     * only (any StorageTechnology but H, server).
     */
    IncludeDeviceTokenOnly: z.optional(boolText),
    AuditInfo: auditInfoSchema,
  })
  .check(
    z.refine((r) => SEARCH_CRITERIA.filter((k) => r[k] !== undefined).length === 1, {
      message: `exactly one of ${SEARCH_CRITERIA.join(', ')} is required`,
      path: ['SearchCriteria'],
    }),
  );

const byTur = { TokenUniqueReference: tur, AuditInfo: auditInfoSchema };

export const tokenActivateRequestSchema = z
  .strictObject({
    TokenUniqueReference: z.optional(str(48, 9)),
    AccountPan: z.optional(pan),
    PaymentAppInstanceId: z.optional(str(48, 1)),
    ReasonCode: z.enum(REASON_CODES.activate),
    CommentText: comment,
    AuditInfo: auditInfoSchema,
  })
  .check(
    z.refine(
      (r) =>
        r.TokenUniqueReference !== undefined
          ? r.AccountPan === undefined && r.PaymentAppInstanceId === undefined
          : r.AccountPan !== undefined && r.PaymentAppInstanceId !== undefined,
      {
        message: 'either TokenUniqueReference, or AccountPan together with PaymentAppInstanceId',
        path: ['TokenUniqueReference'],
      },
    ),
  );

export const tokenSuspendRequestSchema = z.strictObject({
  ...byTur,
  TokenUniqueReference: str(48, 9),
  ReasonCode: z.enum(REASON_CODES.suspend),
  CommentText: comment,
});
export const tokenUnsuspendRequestSchema = z.strictObject({
  ...byTur,
  ReasonCode: z.enum(REASON_CODES.unsuspend),
  CommentText: comment,
});
export const tokenDeleteRequestSchema = z.strictObject({
  ...byTur,
  ReasonCode: z.enum(REASON_CODES.delete),
  CommentText: comment,
});
export const tokenResetMobilePinRequestSchema = z.strictObject({
  ...byTur,
  ReasonCode: z.enum(REASON_CODES.resetMobilePin),
  CommentText: comment,
});
export const tokenResendActivationCodeRequestSchema = z.strictObject({
  ...byTur,
  TokenUniqueReference: tur48,
  ActivationMethodId: str(64, 1),
});
export const tokenByTurRequestSchema = z.strictObject(byTur);
export const updateTokenAssuranceRequestSchema = z.strictObject({ ...byTur, CommentText: comment });

const PAN_MAPPING = ['NewAccountPan', 'ExpirationDate', 'AccountPanSequenceNumber'] as const;

export const tokenUpdateRequestSchema = z
  .strictObject({
    TokenUniqueReference: z.optional(tur),
    CurrentAccountPan: z.optional(pan),
    NewAccountPan: z.optional(pan),
    ExpirationDate: z.optional(z.string().check(z.regex(/^(0[1-9]|1[0-2])\d{2}$/, 'must be MMYY'))),
    AccountPanSequenceNumber: z.optional(digits(1, 2)),
    IssuerProductConfigurationId: z.optional(str(10, 1)),
    UpdateWalletProviderIndicator: z.optional(z.enum(['0', '1'])),
    CommentText: comment,
    AuditInfo: auditInfoSchema,
  })
  .check(
    z.refine((r) => (r.TokenUniqueReference === undefined) !== (r.CurrentAccountPan === undefined), {
      message: 'exactly one of TokenUniqueReference or CurrentAccountPan is required',
      path: ['TokenUniqueReference'],
    }),
    z.refine(
      (r) => {
        const mapping = PAN_MAPPING.some((k) => r[k] !== undefined);
        return mapping !== (r.IssuerProductConfigurationId !== undefined);
      },
      {
        message:
          'either a PAN mapping (NewAccountPan, ExpirationDate, AccountPanSequenceNumber) or IssuerProductConfigurationId, not both and not neither',
        path: ['IssuerProductConfigurationId'],
      },
    ),
  );

export const accountHolderMessagingRequestSchema = z.strictObject({
  TokenUniqueReference: tur,
  MessageText: str(128, 1),
  MessageExpiration: z.iso
    .datetime({ offset: true })
    .check(
      z.refine(
        (v) => Date.parse(v) <= Date.now() + MESSAGE_EXPIRATION_MAX_DAYS * 86_400_000,
        `must be at most ${MESSAGE_EXPIRATION_MAX_DAYS} days in the future`,
      ),
    ),
  MessageIdentifier: str(64, 1),
  MessageLanguageCode: str(3, 2),
  // Upper case, as the spec writes it (its own sample sends "FALSE"), unlike the other booleans.
  IssuerApplicationMessageDisplay: z.enum(['TRUE', 'FALSE']),
  AuditInfo: auditInfoSchema,
});

// ---- responses (loose) ----

const o = <T extends z.core.$ZodType>(t: T) => z.optional(t);
const s = z.optional(z.string());

export const tokenSchema = z.looseObject({
  TokenUniqueReference: s,
  PrimaryAccountNumberUniqueReference: s,
  TokenSuffix: s,
  ExpirationDate: s,
  AccountPanSequenceNumber: s,
  DigitizationRequestDateTime: s,
  TokenActivatedDateTime: s,
  ActivationCodeExpirationDateTime: s,
  FinalTokenizationDecision: s,
  CorrelationId: s,
  CurrentStatusCode: s,
  CurrentStatusDateTime: s,
  CurrentStatusDescription: s,
  ProvisioningStatusCode: s,
  ProvisioningStatusDescription: s,
  TokenRequestorId: s,
  TokenRequestorName: s,
  TokenRequestorConsumerFacingEntityName: s,
  WalletId: s,
  PaymentAppInstanceId: s,
  TokenType: s,
  TokenAssuranceLevel: s,
  StorageTechnology: s,
  LastCommentId: s,
  Suspenders: o(z.looseObject({ Suspender: o(z.array(z.string())) })),
  Device: o(z.looseObject({ DeviceId: s, DeviceName: s, DeviceType: s, SecureElementId: s })),
  // The spec says string ("true"/"false"); its own example sends a JSON boolean.
  TokenDeletedFromConsumerApp: o(z.union([z.string(), z.boolean()])),
});
export type MdesToken = z.infer<typeof tokenSchema>;

export const searchResponseSchema = z.looseObject({
  SearchResponse: o(
    z.looseObject({
      Accounts: o(
        z.looseObject({
          Account: o(
            z.array(
              z.looseObject({
                AccountPanSuffix: s,
                AlternateAccountIdentifierSuffix: s,
                ExpirationDate: s,
                Tokens: o(z.looseObject({ Token: o(z.array(tokenSchema)) })),
              }),
            ),
          ),
        }),
      ),
    }),
  ),
});

const simpleToken = z.looseObject({
  Token: o(z.looseObject({ TokenUniqueReference: s, CommentId: s })),
});
const auditSchema = o(z.looseObject({ UserId: s, UserName: s, Organization: s, Phone: s }));

export const statusSchema = z.looseObject({
  StatusCode: s,
  StatusDescription: s,
  StatusDateTime: s,
  Initiator: s,
  ReasonCode: s,
  CommentId: s,
  AuditInfo: auditSchema,
});

export const transactionSchema = z.looseObject({
  TransactionDateTime: s,
  TransactionAmount: s,
  CurrencyCode: s,
  TransactionStatusCode: s,
  TransactionTypeCode: s,
  TransactionTypeDescription: s,
  MerchantName: s,
  MerchantCategoryCode: s,
  MerchantCategoryDescription: s,
  POSEntryMode: s,
});
export type MdesTransaction = z.infer<typeof transactionSchema>;

export const errorsResponseSchema = z.looseObject({
  Errors: z.looseObject({
    Error: z.array(z.looseObject({ Description: s, ErrorCode: s, ReasonCode: s, Recoverable: s, Source: s })),
  }),
});
export type ErrorsResponse = z.infer<typeof errorsResponseSchema>;

/** Whether a failed call may be sent again without a check (reads), or never blindly (writes). */
export type RetryPolicy = 'read' | 'write';

interface OperationDef<Req extends z.core.$ZodType | undefined, Res extends z.core.$ZodType> {
  method: 'GET' | 'POST';
  path: string;
  /** Wrapper key of the request body (`{ SearchRequest: {...} }`); undefined for GET. */
  requestKey?: string;
  request: Req;
  response: Res;
  retry: RetryPolicy;
  /** One of the three APIs Mastercard lets issuers encrypt (Search, Token Activate, Token Update). */
  encryptable: boolean;
}

function op<Req extends z.core.$ZodType | undefined, Res extends z.core.$ZodType>(
  def: OperationDef<Req, Res>,
): OperationDef<Req, Res> {
  return def;
}

const wrapped = <K extends string, T extends z.core.$ZodType>(key: K, inner: T) =>
  z.looseObject({ [key]: o(inner) } as { [P in K]: z.ZodMiniOptional<T> });

/** The 15 operations of MDES Customer Service 2.0.7. */
export const OPERATIONS = {
  search: op({
    method: 'POST',
    path: '/search',
    requestKey: 'SearchRequest',
    request: searchRequestSchema,
    response: searchResponseSchema,
    retry: 'read',
    encryptable: true,
  }),
  systemStatus: op({
    method: 'GET',
    path: '/systemstatus',
    request: undefined,
    response: wrapped('SystemStatusResponse', z.looseObject({ CommentText: s, LastStatusDateTime: s })),
    retry: 'read',
    encryptable: false,
  }),
  activate: op({
    method: 'POST',
    path: '/token/activate',
    requestKey: 'TokenActivateRequest',
    request: tokenActivateRequestSchema,
    response: wrapped('TokenActivateResponse', simpleToken),
    retry: 'write',
    encryptable: true,
  }),
  activationMethods: op({
    method: 'POST',
    path: '/token/activationmethods',
    requestKey: 'TokenActivationMethodsRequest',
    request: tokenByTurRequestSchema,
    response: wrapped(
      'TokenActivationMethodsResponse',
      z.looseObject({
        ActivationMethods: o(
          z.looseObject({
            ActivationMethod: o(
              z.array(
                z.looseObject({
                  ActivationMethodId: s,
                  ActivationMethodType: s,
                  ActivationMethodValue: s,
                  ResendIndicator: s,
                }),
              ),
            ),
          }),
        ),
      }),
    ),
    retry: 'read',
    encryptable: false,
  }),
  comments: op({
    method: 'POST',
    path: '/token/comments',
    requestKey: 'TokenCommentsRequest',
    request: tokenByTurRequestSchema,
    response: wrapped(
      'TokenCommentsResponse',
      z.looseObject({
        Comments: o(
          z.looseObject({
            Comment: o(
              z.array(z.looseObject({ CommentId: s, CommentText: s, CommentDateTime: s, AuditInfo: auditSchema })),
            ),
          }),
        ),
      }),
    ),
    retry: 'read',
    encryptable: false,
  }),
  delete: op({
    method: 'POST',
    path: '/token/delete',
    requestKey: 'TokenDeleteRequest',
    request: tokenDeleteRequestSchema,
    response: wrapped('TokenDeleteResponse', simpleToken),
    retry: 'write',
    encryptable: false,
  }),
  resendActivationCode: op({
    method: 'POST',
    path: '/token/resendactivationcode',
    requestKey: 'TokenResendActivationCodeRequest',
    request: tokenResendActivationCodeRequestSchema,
    response: wrapped(
      'TokenResendActivationCodeResponse',
      z.looseObject({ Token: o(z.looseObject({ TokenUniqueReference: s })) }),
    ),
    retry: 'write',
    encryptable: false,
  }),
  resetMobilePin: op({
    method: 'POST',
    path: '/token/resetmobilepin',
    requestKey: 'TokenResetMobilePinRequest',
    request: tokenResetMobilePinRequestSchema,
    response: wrapped('TokenResetMobilePinResponse', simpleToken),
    retry: 'write',
    encryptable: false,
  }),
  statusHistory: op({
    method: 'POST',
    path: '/token/statushistory',
    requestKey: 'TokenStatusHistoryRequest',
    request: tokenByTurRequestSchema,
    response: wrapped(
      'TokenStatusHistoryResponse',
      z.looseObject({ Statuses: o(z.looseObject({ Status: o(z.array(statusSchema)) })) }),
    ),
    retry: 'read',
    encryptable: false,
  }),
  suspend: op({
    method: 'POST',
    path: '/token/suspend',
    requestKey: 'TokenSuspendRequest',
    request: tokenSuspendRequestSchema,
    response: wrapped('TokenSuspendResponse', simpleToken),
    retry: 'write',
    encryptable: false,
  }),
  unsuspend: op({
    method: 'POST',
    path: '/token/unsuspend',
    requestKey: 'TokenUnsuspendRequest',
    request: tokenUnsuspendRequestSchema,
    response: wrapped('TokenUnsuspendResponse', simpleToken),
    retry: 'write',
    encryptable: false,
  }),
  update: op({
    method: 'POST',
    path: '/token/update',
    requestKey: 'TokenUpdateRequest',
    request: tokenUpdateRequestSchema,
    response: wrapped(
      'TokenUpdateResponse',
      z.looseObject({
        Tokens: o(z.looseObject({ Token: o(z.array(z.looseObject({ TokenUniqueReference: s, CommentId: s }))) })),
      }),
    ),
    retry: 'write',
    encryptable: true,
  }),
  transactions: op({
    method: 'POST',
    path: '/transactions',
    requestKey: 'TransactionsRequest',
    request: tokenByTurRequestSchema,
    response: wrapped(
      'TransactionsResponse',
      z.looseObject({ Transactions: o(z.looseObject({ Transaction: o(z.array(transactionSchema)) })) }),
    ),
    retry: 'read',
    encryptable: false,
  }),
  updateTokenAssurance: op({
    method: 'POST',
    path: '/updatetokenassurance',
    requestKey: 'UpdateTokenAssuranceRequest',
    request: updateTokenAssuranceRequestSchema,
    response: wrapped('UpdateTokenAssuranceResponse', simpleToken),
    retry: 'write',
    encryptable: false,
  }),
  accountHolderMessaging: op({
    method: 'POST',
    path: '/accountholdermessaging',
    requestKey: 'AccountHolderMessagingRequest',
    request: accountHolderMessagingRequestSchema,
    response: wrapped(
      'AccountHolderMessagingResponse',
      z.looseObject({ Token: o(z.looseObject({ TokenUniqueReference: s })) }),
    ),
    retry: 'write',
    encryptable: false,
  }),
} as const;

export type OperationName = keyof typeof OPERATIONS;
export const OPERATION_NAMES = Object.keys(OPERATIONS) as OperationName[];

type Def<N extends OperationName> = (typeof OPERATIONS)[N];
/** The inner request of an operation (without its wrapper), as callers write it. */
export type RequestOf<N extends OperationName> = Def<N>['request'] extends z.core.$ZodType
  ? z.input<Def<N>['request']>
  : undefined;
/** The parsed response body of an operation (with its wrapper). */
export type ResponseOf<N extends OperationName> = z.infer<Def<N>['response']>;

/** The response of a call plus how it was obtained (what the client answers, and what its port promises). */
export interface CallResult<N extends OperationName> {
  body: ResponseOf<N>;
  attempts: number;
  /** A write whose response was lost but whose effect a search confirmed. */
  confirmedBySearch?: boolean;
}

/**
 * Validates an operation's request against the contract and wraps it: what goes on the wire before
 * encryption (undefined for GET). A request that does not satisfy the contract is the caller's to
 * fix ({@link ValidationError}, naming each field).
 */
export function buildRequestBody<N extends OperationName>(
  name: N,
  request: RequestOf<N>,
): Record<string, unknown> | undefined {
  const def = OPERATIONS[name];
  if (!def.request || !('requestKey' in def) || !def.requestKey) return undefined;
  const parsed = z.safeParse(def.request as z.core.$ZodType, request);
  if (!parsed.success)
    throw new ValidationError(
      `invalid MDES ${name} request`,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`),
    );
  return { [def.requestKey]: parsed.data };
}

/** One account of a Search response. */
export type MdesAccount = NonNullable<
  NonNullable<NonNullable<ResponseOf<'search'>['SearchResponse']>['Accounts']>['Account']
>[number];

/** Every token of a Search response with the account it was found on, in MDES's order. */
export function accountTokensOfSearch(body: ResponseOf<'search'>): { account: MdesAccount; token: MdesToken }[] {
  return (body.SearchResponse?.Accounts?.Account ?? []).flatMap((account) =>
    (account.Tokens?.Token ?? []).map((token) => ({ account, token })),
  );
}

/** Every token of a Search response, in MDES's order. */
export function tokensOfSearch(body: ResponseOf<'search'>): MdesToken[] {
  return accountTokensOfSearch(body).map(({ token }) => token);
}

/** The token of a Search response carrying `tur`, if MDES returned it. */
export function tokenOfSearch(body: ResponseOf<'search'>, tur: string): MdesToken | undefined {
  return tokensOfSearch(body).find((t) => t.TokenUniqueReference === tur);
}
