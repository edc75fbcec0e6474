import type { CallResult, OperationName, RequestOf } from '../adapters/mdes/contract';
import type { MdesCustomer } from '../adapters/mdes/customers';
import type { TokenStore } from '../domain/store';

/**
 * The MDES Customer Service calls this flow makes, for one MDES customer (CID). The signed HTTP
 * client (shared/adapters/mdes/client.ts, `MdesCustomerServiceClient`) implements it; unit tests
 * use a fake. Requests are validated against the contract before they reach the port.
 */
export interface MdesCustomerService {
  /** The circuit breaker in front of MDES (reported by System Status). */
  readonly circuitState: 'closed' | 'open' | 'halfOpen';
  /**
   * One operation. A write whose response was lost is retried only after a search shows it did
   * not happen; when the search shows it did, the result says `confirmedBySearch`.
   */
  call<N extends OperationName>(name: N, request: RequestOf<N>): Promise<CallResult<N>>;
  search(request: RequestOf<'search'>): Promise<CallResult<'search'>>;
  update(request: RequestOf<'update'>): Promise<CallResult<'update'>>;
  systemStatus(): Promise<CallResult<'systemStatus'>>;
}

/** One MDES customer and its port. */
export interface MdesCustomerConnection {
  customer: Pick<MdesCustomer, 'customerId' | 'organization'>;
  client: MdesCustomerService;
}

/** What the Customer Service use cases need. */
export interface CustomerServiceDeps {
  /** `flagCardForReconciliation`: a FAILED write flags the token's card for the next reconciliation run. */
  store: Pick<
    TokenStore,
    'getTokenState' | 'findTokenIdsByTur' | 'putAudit' | 'addTimelineEntry' | 'flagCardForReconciliation'
  >;
  /** The connection of MDES customer `customerId` (absent: the default customer). */
  connection: (customerId?: string) => MdesCustomerConnection;
  /**
   * Whether MDES customer `customerId` serves a token of Pismo organisation `orgId` (a processor
   * serving several issuers); absent: every customer serves every token.
   */
  servesToken?: (customerId: string, orgId: string | undefined) => boolean;
  /** Told when one TUR resolves to several of our tokens (the handler logs and counts it). */
  onTurCollision?: (collision: { tur: string; tokenIds: string[] }) => void;
  now?: () => Date;
}
