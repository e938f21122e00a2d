/**
 * The delivery ids (`X-GitHub-Delivery`) this process has accepted, newest last, so a redelivery or
 * a replayed request is acknowledged and does nothing. Bounded: GitHub redelivers within hours,
 * and 10,000 deliveries is more than a busy organisation sends in that time to one replica. A
 * restart forgets them; the reconcile loop makes a forgotten redelivery converge to the same state.
 */
export class DeliveryMemory {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  /** True the first time an id is seen; false for every later time while it is remembered. */
  remember(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    // A Set iterates in insertion order: the first entry is the oldest.
    while (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest === undefined) break;
      this.ids.delete(oldest);
    }
    return true;
  }

  get size(): number {
    return this.ids.size;
  }
}
