import type { RateLimiter } from './ports';

/**
 * A token bucket: `ratePerSecond` permits a second on average, at most `burst` at once. Permits are
 * handed out one at a time, in call order, so concurrent callers can never exceed the rate; every
 * attempt of a call (retries included) takes its own permit. `now` and `sleep` are injectable (tests).
 */
export class TokenBucket implements RateLimiter {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();
  /** Permits handed out so far. */
  granted = 0;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst = 1,
    private readonly now: () => number = () => Date.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    if (!(ratePerSecond > 0)) throw new Error('the rate must be positive');
    if (!(burst >= 1)) throw new Error('the burst must be at least 1');
    this.tokens = burst;
    this.last = now();
  }

  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.take());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async take(): Promise<void> {
    for (;;) {
      const t = this.now();
      this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond);
      this.last = t;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        this.granted++;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000));
    }
  }
}
