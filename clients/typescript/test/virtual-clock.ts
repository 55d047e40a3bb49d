/** Virtual time for the saver's timers: `advance(ms)` fires what is due, in order; a runner
 * that must settle promises between timers (the shared cases) takes them one by one instead. */
export interface Timer {
  readonly at: number;
  readonly fn: () => void;
}

export class VirtualClock {
  time = 0;
  private readonly timers = new Map<number, Timer>();
  private nextHandle = 1;

  /** `jitter`: what `random()` answers, the backoff's jitter. */
  constructor(private readonly jitter = 0.5) {}

  readonly now = (): number => this.time;
  readonly random = (): number => this.jitter;
  readonly setTimer = (fn: () => void, ms: number): number => {
    const handle = this.nextHandle++;
    this.timers.set(handle, { at: this.time + ms, fn });
    return handle;
  };
  readonly clearTimer = (handle: unknown): void => {
    this.timers.delete(handle as number);
  };

  /** The earliest timer due by `until` (the first set, of those due at once), removed. */
  takeDue(until: number): Timer | undefined {
    let first: [number, Timer] | undefined;
    for (const [handle, timer] of this.timers) {
      if (timer.at <= until && (first === undefined || timer.at < first[1].at)) {
        first = [handle, timer];
      }
    }
    if (first) {
      this.timers.delete(first[0]);
    }
    return first?.[1];
  }

  advance(ms: number): void {
    const end = this.time + ms;
    for (let timer = this.takeDue(end); timer; timer = this.takeDue(end)) {
      this.time = timer.at;
      timer.fn();
    }
    this.time = end;
  }
}
