/** Virtual time for the saver's timers: `advance(ms)` fires what is due, in order. */
export class VirtualClock {
  private time = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private nextHandle = 1;

  readonly now = (): number => this.time;
  readonly random = (): number => 0.5;
  readonly setTimer = (fn: () => void, ms: number): number => {
    const handle = this.nextHandle++;
    this.timers.set(handle, { at: this.time + ms, fn });
    return handle;
  };
  readonly clearTimer = (handle: unknown): void => {
    this.timers.delete(handle as number);
  };

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const [handle, timer] = [...this.timers].sort(([, a], [, b]) => a.at - b.at)[0] ?? [];
      if (handle === undefined || timer === undefined || timer.at > end) {
        break;
      }
      this.timers.delete(handle);
      this.time = timer.at;
      timer.fn();
    }
    this.time = end;
  }
}
