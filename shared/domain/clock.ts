/**
 * The one clock type of the service: every use case that needs the time takes a `Clock` in its deps
 * (tests pass a fixed one), and falls back to {@link systemClock}.
 */
export type Clock = () => Date;

/** The wall clock. */
export const systemClock: Clock = () => new Date();

/** Waits `ms` milliseconds (use cases that back off take one, so tests need not wait). */
export type Sleep = (ms: number) => Promise<void>;
