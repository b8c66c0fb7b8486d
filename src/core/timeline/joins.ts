// When both ends of a loopback connection are ours (a session to our echo server), the two ends feed one
// timeline, found by the connection's ports ("51234>7"). Ports are reused: a later connection from the
// same local port must not join a timeline whose connection is over. So a timeline is joinable only
// while its other end has not come yet and its connection is open: once both ends are in, or once one
// has left, the ports name nothing, and the next connection with those ports starts its own timeline.

export class TimelineJoins<T> {
  private readonly waiting = new Map<string, { value: T; lane: number }>();

  /** The timeline the other end of `ports` opened and still waits with, or a new one from `create`. */
  join(ports: string, lane: number, create: () => T): T {
    const w = this.waiting.get(ports);
    if (w && w.lane !== lane) {
      // Both ends are in: nobody else can be this connection.
      this.waiting.delete(ports);
      return w.value;
    }
    const value = create();
    this.waiting.set(ports, { value, lane });
    return value;
  }

  /** An end of `value`'s connection closed: its ports no longer lead to it. */
  left(ports: string, value: T): void {
    if (this.waiting.get(ports)?.value === value) {
      this.waiting.delete(ports);
    }
  }

  /** How many timelines wait for their other end (tests read it). */
  get size(): number {
    return this.waiting.size;
  }
}
