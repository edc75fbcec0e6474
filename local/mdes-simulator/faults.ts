import type { ServerResponse } from 'node:http';
import { OPERATION_NAMES, OPERATIONS } from '../../shared/adapters/mdes/contract';
import { errorBody, sendJson, SimError } from './reply';

/** A fault injected into an operation. */
export interface Fault {
  kind: 'latency' | 'status' | 'timeout';
  ms?: number;
  status?: number;
  /** `after`: the operation is applied, then the response fails (a lost response). */
  phase?: 'before' | 'after';
  /** How many requests it hits (default: every one). */
  times?: number;
}

/** Operation name (e.g. `suspend`) → its path (e.g. `/token/suspend`). */
const OP_PATHS: Record<string, string> = Object.fromEntries(OPERATION_NAMES.map((n) => [n, OPERATIONS[n].path]));

/**
 * Per-operation fault injection: added latency, an error status (429 answers `RATE_LIMIT_EXCEEDED`,
 * others `SYSTEM_ERROR`, both recoverable) or no answer at all (the client's timeout fires), either
 * before the operation is applied or after (the operation took effect, the response is lost).
 */
export class FaultInjector {
  private readonly faults = new Map<string, Fault>();

  /** Injects a fault into an operation (its name, e.g. `suspend`, or path, e.g. `/token/suspend`). */
  inject(operation: string, fault: Fault): void {
    this.faults.set(operation.startsWith('/') ? operation : (OP_PATHS[operation] ?? operation), fault);
  }

  clear(): void {
    this.faults.clear();
  }

  /** The fault for this request to `path`, if any; counts it against the fault's `times`. */
  take(path: string): Fault | undefined {
    const fault = this.faults.get(path);
    if (!fault) return undefined;
    if (fault.times !== undefined) {
      fault.times -= 1;
      if (fault.times <= 0) this.faults.delete(path);
    }
    return fault;
  }

  /**
   * Applies a fault; true when the response was taken over (an error or a hang). `log.status` gets
   * the status answered (0: none).
   */
  async apply(fault: Fault | undefined, res: ServerResponse, log: { status: number }): Promise<boolean> {
    if (!fault) return false;
    if (fault.kind === 'latency') {
      await new Promise((r) => setTimeout(r, fault.ms ?? 100));
      return false;
    }
    if (fault.kind === 'timeout') {
      log.status = 0; // never answers; the client's timeout fires
      return true;
    }
    const status = fault.status ?? 500;
    log.status = status;
    sendJson(
      res,
      status,
      errorBody(
        new SimError(status, status === 429 ? 'RATE_LIMIT_EXCEEDED' : 'SYSTEM_ERROR', 'injected fault', 'System', true),
      ),
    );
    return true;
  }
}
