import { AppError } from '../../domain/errors';

/** The errors of the HTTP adapter (the caller's token and request). */

/** The officer's token does not name the MDES customer the action would use. */
export class CustomerNotAllowedError extends AppError {
  constructor(customerId: string, claimName: string) {
    super(`your token does not allow MDES customer ${customerId} (claim ${claimName})`, 'forbidden', {
      expose: true,
    });
  }
}
