import type { OperationName } from '../adapters/mdes/contract';
import { type CsTokenStatus, STATUS_TABLE } from '../domain/status-rules';

/** Operations on one token, as the internal API names them → the MDES operation. */
export const TOKEN_OPERATIONS = {
  // reads (GET, scope tokens:read)
  token: { mdes: 'search', write: false },
  'status-history': { mdes: 'statusHistory', write: false },
  comments: { mdes: 'comments', write: false },
  transactions: { mdes: 'transactions', write: false },
  'activation-methods': { mdes: 'activationMethods', write: false },
  // writes (POST, scope tokens:write)
  suspend: { mdes: 'suspend', write: true },
  unsuspend: { mdes: 'unsuspend', write: true },
  delete: { mdes: 'delete', write: true },
  activate: { mdes: 'activate', write: true },
  'resend-activation-code': { mdes: 'resendActivationCode', write: true },
  'reset-mobile-pin': { mdes: 'resetMobilePin', write: true },
  update: { mdes: 'update', write: true },
  'update-assurance': { mdes: 'updateTokenAssurance', write: true },
  messages: { mdes: 'accountHolderMessaging', write: true },
} as const satisfies Record<string, { mdes: OperationName; write: boolean }>;
export type TokenOperation = keyof typeof TOKEN_OPERATIONS;

/** The MDES operations the FAQ's status table rules on. */
export type RuledOperation = keyof typeof STATUS_TABLE;

/** Internal API operations the FAQ's status table allows on a token in `status`. */
export function allowedOperationsOf(status: CsTokenStatus | undefined): TokenOperation[] {
  if (!status) return [];
  return (Object.keys(TOKEN_OPERATIONS) as TokenOperation[]).filter((op) =>
    (STATUS_TABLE[TOKEN_OPERATIONS[op].mdes as RuledOperation] ?? []).includes(status),
  );
}
