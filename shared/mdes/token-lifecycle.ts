/** The MDES Customer Service operations the ID&V workflow needs (the full client is issue #5). */
export interface TokenLifecyclePort {
  deleteToken(request: { tokenUniqueReference: string; reasonCode: 'Z'; comment: string }): Promise<void>;
  resendActivationCode(request: { tokenUniqueReference: string; userId: string; userName: string }): Promise<void>;
}

/**
 * Minimal Token Delete over HTTP against `MDES_CS_BASE_URL` (the local MDES stand-in). Not yet
 * OAuth 1.0a-signed: production use waits for the signed client of issue #5.
 */
export class HttpTokenLifecycle implements TokenLifecyclePort {
  constructor(
    private readonly baseUrl: string,
    private readonly organization: string,
  ) {}

  async resendActivationCode(request: {
    tokenUniqueReference: string;
    userId: string;
    userName: string;
  }): Promise<void> {
    await this.post('/token/resendactivationcode', {
      ResendActivationCodeRequest: {
        TokenUniqueReference: request.tokenUniqueReference,
        AuditInfo: { UserId: request.userId, UserName: request.userName, Organization: this.organization },
      },
    });
  }

  private async post(operation: string, body: unknown): Promise<void> {
    const res = await fetch(`${this.baseUrl}${operation}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`MDES ${operation} failed: HTTP ${res.status}`);
  }

  async deleteToken(request: { tokenUniqueReference: string; reasonCode: 'Z'; comment: string }): Promise<void> {
    const res = await fetch(`${this.baseUrl}/token/delete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        TokenDeleteRequest: {
          TokenUniqueReference: request.tokenUniqueReference,
          ReasonCode: request.reasonCode,
          CommentText: request.comment,
          AuditInfo: { UserId: 'idv-workflow', UserName: 'ID&V clean-up', Organization: this.organization },
        },
      }),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`MDES token delete failed: HTTP ${res.status}`);
  }
}
