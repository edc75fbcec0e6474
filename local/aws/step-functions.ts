import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import type { LocalStateMachine } from '../model/model';

type Invoke = (functionId: string, event: unknown) => Promise<unknown>;
type Json = Record<string, unknown>;

// aws-local-stepfunctions 3 uses Promise.withResolvers, which Node 20 lacks.
const P = Promise as unknown as { withResolvers?: () => unknown };
if (!P.withResolvers) {
  P.withResolvers = () => {
    let resolve!: (v: unknown) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

/** A step-level record of one execution, for tests and the demo (ids only, by design). */
export interface ExecutionRecord {
  name: string;
  stateMachine: string;
  input: unknown;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: string;
  /** Every state entered, with its input and output. */
  steps: { state: string; type: 'entered' | 'exited' | 'failed' | 'caught'; data?: unknown }[];
  done: Promise<void>;
}

/** A Step Functions error the SDK maps by `__type`. */
export class SfnError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

interface Waiter {
  resolve: (output: unknown) => void;
  reject: (err: Error) => void;
  open: boolean;
  timer?: NodeJS.Timeout;
}

export interface LocalStepFunctionsOptions {
  /** Wait state durations in ms by state name (e.g. the 24 h / 29 day waits). */
  waitOverridesMs?: Record<string, number>;
  /** Retry pauses in ms by state name. */
  retryOverridesMs?: Record<string, number>;
  /** Multiplies task-token timeouts (e.g. 0.001 turns a 30-minute code expiry into 1.8 s). */
  taskTimeoutScale?: number;
}

/**
 * Runs the synthesized state machines with aws-local-stepfunctions: every Task state runs the
 * template's Lambda handler in-process, and `.waitForTaskToken` tasks wait on a task-token registry
 * that SendTaskSuccess / SendTaskFailure (served to the real SFN SDK client) settle.
 */
export class LocalStepFunctions {
  readonly executions = new Map<string, ExecutionRecord>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly aborts = new Set<() => void>();

  constructor(
    private readonly machines: Map<string, LocalStateMachine>,
    private readonly invoke: Invoke,
    private readonly options: LocalStepFunctionsOptions = {},
  ) {}

  startExecution(
    stateMachineArn: string,
    name: string | undefined,
    input: string | undefined,
  ): { executionArn: string; startDate: number } {
    const machine = [...this.machines.values()].find(
      (m) => m.arn === stateMachineArn || m.logicalId === stateMachineArn,
    );
    if (!machine) throw new SfnError('StateMachineDoesNotExist', `no state machine ${stateMachineArn}`);
    if (machine.unsupported) throw new SfnError('InvalidDefinition', `not runnable locally: ${machine.unsupported}`);
    const executionName = name ?? randomUUID();
    if (this.executions.has(executionName))
      throw new SfnError('ExecutionAlreadyExists', `execution ${executionName} exists`);
    const parsedInput: unknown = input ? JSON.parse(input) : {};
    const executionArn = `arn:aws:states:us-east-1:000000000000:execution:${machine.logicalId}:${executionName}`;
    const taskToken = Buffer.from(`${executionArn}#${randomUUID()}`).toString('base64url');
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, functionId] of Object.entries(machine.taskFunctions)) {
      const waitsForToken = machine.waitForTaskToken.includes(stateName);
      handlers[stateName] = async (stateInput: unknown) => {
        const payload = (stateInput as Json)?.Payload ?? stateInput;
        if (!waitsForToken) return (await this.invoke(functionId, payload)) as never;
        let timer: NodeJS.Timeout | undefined;
        const waiting = new Promise<unknown>((resolve, reject) => {
          const waiter: Waiter = { resolve, reject, open: true };
          this.waiters.set(taskToken, waiter);
          const seconds = Number((payload as Json).waitSeconds);
          if (Number.isFinite(seconds) && seconds > 0) {
            const ms = Math.min(seconds * 1000 * (this.options.taskTimeoutScale ?? 1), 2 ** 31 - 1);
            waiter.timer = timer = setTimeout(() => {
              const w = this.waiters.get(taskToken);
              if (w) w.open = false;
              const err = new Error('task timed out');
              err.name = 'States.Timeout';
              reject(err);
            }, ms);
          }
        });
        // The waiter can be rejected (timeout, or abortAll when the stack stops) while the task's own
        // function is still running, before `await waiting` below: mark it handled so that is not an
        // unhandled rejection; the await still sees the error.
        waiting.catch(() => undefined);
        try {
          await this.invoke(functionId, payload);
          return (await waiting) as never;
        } finally {
          clearTimeout(timer);
        }
      };
    }
    const record: ExecutionRecord = {
      name: executionName,
      stateMachine: machine.logicalId,
      input: parsedInput,
      status: 'RUNNING',
      steps: [],
      done: Promise.resolve(),
    };
    const sm = this.compiled(machine);
    const run = sm.run(parsedInput as never, {
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        waitTimeOverrides: this.options.waitOverridesMs,
        retryIntervalOverrides: this.options.retryOverridesMs,
      },
      noThrowOnAbort: true,
      context: {
        Execution: { Id: executionArn, Name: executionName, Input: parsedInput as never },
        Task: { Token: taskToken },
      } as never,
    });
    const logs = (async () => {
      for await (const e of run.eventLogs as AsyncGenerator<Json>) {
        const state = (e.state as Json | undefined)?.name;
        if (typeof state !== 'string') continue;
        const type =
          e.type === 'StateEntered'
            ? 'entered'
            : e.type === 'StateExited'
              ? 'exited'
              : e.type === 'StateFailed'
                ? 'failed'
                : e.type === 'StateCaught'
                  ? 'caught'
                  : undefined;
        if (type) {
          const data =
            type === 'failed' || type === 'caught'
              ? { error: e.Error, cause: e.Cause }
              : ((e.state as Json).output ?? (e.state as Json).input);
          record.steps.push({ state, type, data });
        }
      }
    })();
    this.aborts.add(run.abort);
    record.done = run.result
      .then(
        (output) => {
          record.status = 'SUCCEEDED';
          record.output = output;
        },
        (err: Error) => {
          record.status = 'FAILED';
          const cause = (err as { cause?: { name?: string; message?: string } }).cause;
          record.error = `${cause?.name ?? (err as { name?: string }).name ?? 'Error'}: ${cause?.message ?? err.message}`;
        },
      )
      .then(() => logs.catch(() => undefined))
      .finally(() => {
        this.aborts.delete(run.abort);
        const w = this.waiters.get(taskToken);
        if (w) w.open = false;
      });
    this.executions.set(executionName, record);
    return { executionArn, startDate: Date.now() / 1000 };
  }

  private readonly compiledMachines = new Map<string, StateMachine>();

  /** Builds (once per machine: validation is slow) the runnable local copy of a definition. */
  private compiled(machine: LocalStateMachine): StateMachine {
    const cached = this.compiledMachines.get(machine.logicalId);
    if (cached) return cached;
    // Node timers overflow past 2^31 ms (24.8 days): an execution timeout beyond that (ours is 35 days,
    // for the 30-day clean-up) would fire at once, so it is left out locally, where waits are shortened.
    const definition = structuredClone(machine.definition) as Json & { States: Record<string, Json> };
    if (Number(definition.TimeoutSeconds ?? 0) * 1000 > 2 ** 31 - 1) delete definition.TimeoutSeconds;
    // aws-local-stepfunctions resolves TimeoutSecondsPath against the task's parameters rather than the
    // state input, so the token wait applies that timeout itself from the same value (payload.waitSeconds).
    // It also leaves `.$` keys nested inside Parameters.Payload unresolved, so the Lambda payload is
    // lifted to the top of Parameters, where it resolves them (including $$.Task.Token).
    for (const name of machine.waitForTaskToken) {
      const state = definition.States[name];
      if (!state) continue;
      delete state.TimeoutSecondsPath;
      const params = state.Parameters as Json | undefined;
      if (params?.Payload) state.Parameters = params.Payload;
    }
    const sm = new StateMachine(definition as never, { validationOptions: { checkArn: false, checkPaths: false } });
    this.compiledMachines.set(machine.logicalId, sm);
    return sm;
  }

  sendTaskSuccess(taskToken: string, output: string): void {
    const w = this.waiterFor(taskToken);
    w.open = false;
    w.resolve(JSON.parse(output));
  }

  sendTaskFailure(taskToken: string, error: string | undefined, cause: string | undefined): void {
    const w = this.waiterFor(taskToken);
    w.open = false;
    const err = new Error(cause ?? error ?? 'TaskFailed');
    err.name = error ?? 'TaskFailed';
    w.reject(err);
  }

  private waiterFor(taskToken: string): Waiter {
    const w = this.waiters.get(taskToken);
    if (!w) throw new SfnError('TaskDoesNotExist', 'unknown task token');
    if (!w.open) throw new SfnError('TaskTimedOut', 'task already finished');
    return w;
  }

  /** Aborts every running execution (the local stack is stopping). */
  abortAll(): void {
    for (const abort of this.aborts) abort();
    this.aborts.clear();
    for (const w of this.waiters.values()) {
      clearTimeout(w.timer);
      if (w.open) {
        w.open = false;
        w.reject(Object.assign(new Error('execution aborted'), { name: 'ExecutionAborted' }));
      }
    }
  }

  /** Waits until every execution started so far has finished. */
  async settle(): Promise<void> {
    await Promise.all([...this.executions.values()].map((e) => e.done));
  }

  /** Handles one SFN JSON-protocol request (the subset the service uses). */
  handle(target: string, body: Json): Json {
    switch (target) {
      case 'StartExecution':
        return this.startExecution(
          String(body.stateMachineArn),
          body.name as string | undefined,
          body.input as string | undefined,
        );
      case 'SendTaskSuccess':
        this.sendTaskSuccess(String(body.taskToken), String(body.output ?? '{}'));
        return {};
      case 'SendTaskFailure':
        this.sendTaskFailure(
          String(body.taskToken),
          body.error as string | undefined,
          body.cause as string | undefined,
        );
        return {};
      case 'SendTaskHeartbeat':
        this.waiterFor(String(body.taskToken));
        return {};
      default:
        throw new SfnError('UnknownOperationException', `local Step Functions does not serve ${target}`);
    }
  }
}
