import type { MdesConnections } from './customers';
import { tokenOfSearch } from './contract';
import { MdesRejectedError } from './errors';

/** The MDES Customer Service operations the ID&V workflow needs. */
export interface TokenLifecyclePort {
  deleteToken(request: { tokenUniqueReference: string; reasonCode: 'Z'; comment: string }): Promise<void>;
  /** Resends by `method` (the challenge's channel) when MDES offers it for resend. */
  resendActivationCode(request: {
    tokenUniqueReference: string;
    userId: string;
    userName: string;
    method?: 'SMS' | 'EMAIL';
  }): Promise<void>;
  /** The MDES customer these calls act for (for the audit record). */
  customerId?(): Promise<string>;
}

const MDES_METHOD = { SMS: 'SMS', EMAIL: 'EMA' } as const;

/**
 * {@link TokenLifecyclePort} over the signed MDES Customer Service client of the default customer.
 * The client, its signer and the Secrets Manager client are loaded on first use: the ID&V steps that
 * never call MDES keep their cold start.
 */
export class MdesTokenLifecycle implements TokenLifecyclePort {
  private loaded?: Promise<MdesConnections>;

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  private async connections(): Promise<MdesConnections> {
    this.loaded ??= import('./customers').then(({ lazyConnections }) => lazyConnections(this.env)());
    return this.loaded;
  }

  async customerId(): Promise<string> {
    return (await this.connections()).get().customer.customerId;
  }

  async deleteToken(request: { tokenUniqueReference: string; reasonCode: 'Z'; comment: string }): Promise<void> {
    const { client, customer } = (await this.connections()).get();
    const AuditInfo = { UserId: 'idv-workflow', UserName: 'ID&V clean-up', Organization: customer.organization };
    try {
      await client.delete({
        TokenUniqueReference: request.tokenUniqueReference,
        ReasonCode: request.reasonCode,
        CommentText: request.comment,
        AuditInfo,
      });
    } catch (err) {
      if (!(err instanceof MdesRejectedError)) throw err;
      // Already gone (deleted by the wallet or the cardholder meanwhile, or unknown): the clean-up is done.
      const found = await client.search({ TokenUniqueReference: request.tokenUniqueReference, AuditInfo });
      const token = tokenOfSearch(found.body, request.tokenUniqueReference);
      if (token && token.CurrentStatusCode !== 'D') throw err;
    }
  }

  async resendActivationCode(request: {
    tokenUniqueReference: string;
    userId: string;
    userName: string;
    method?: 'SMS' | 'EMAIL';
  }): Promise<void> {
    const { client, customer } = (await this.connections()).get();
    const AuditInfo = { UserId: request.userId, UserName: request.userName, Organization: customer.organization };
    // MDES resends by activation method id: take the challenge's channel if offered, else the first resendable.
    const methods =
      (await client.activationMethods({ TokenUniqueReference: request.tokenUniqueReference, AuditInfo })).body
        .TokenActivationMethodsResponse?.ActivationMethods?.ActivationMethod ?? [];
    const resendable = methods.filter((m) => m.ResendIndicator === 'true' && m.ActivationMethodId);
    const chosen =
      resendable.find((m) => request.method && m.ActivationMethodType === MDES_METHOD[request.method]) ?? resendable[0];
    if (!chosen?.ActivationMethodId)
      throw new MdesRejectedError('resendActivationCode', 409, [
        {
          reasonCode: 'NO_RESENDABLE_METHOD',
          description: 'MDES offers no activation method that can be resent',
          recoverable: false,
        },
      ]);
    await client.resendActivationCode({
      TokenUniqueReference: request.tokenUniqueReference,
      ActivationMethodId: chosen.ActivationMethodId,
      AuditInfo,
    });
  }
}
