// Runs a callback at most once per interval: the first call runs at once, calls during the interval
// collapse into one trailing run. Keeps a traffic flood from redrawing a view thousands of times.
export class Throttle {
  private timer?: ReturnType<typeof setTimeout>;
  private pending = false;

  constructor(
    private readonly run: () => void,
    private readonly intervalMs: number,
  ) {}

  schedule(): void {
    if (this.timer) {
      this.pending = true;
      return;
    }
    this.run();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.pending) {
        this.pending = false;
        this.schedule();
      }
    }, this.intervalMs);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = false;
  }
}
