// Hands out a fresh loopback address per pod (127.0.0.2 upwards), never reusing one during the simulator's life.

export class LoopbackAllocator {
  // Offset inside 127.0.0.0/8; 2 is 127.0.0.2.
  private next: number;

  /** `first` is the offset of the first address (2: 127.0.0.2). */
  constructor(first = 2) {
    this.next = first;
  }

  allocate(): string {
    for (;;) {
      const n = this.next++;
      if (n > 0xffffff) throw new Error('kube-sim: loopback addresses exhausted');
      const last = n & 0xff;
      // .0, .1 and .255 of every /24 are avoided: network/broadcast-looking and 127.0.0.1 itself.
      if (last === 0 || last === 1 || last === 255) continue;
      return `127.${(n >> 16) & 0xff}.${(n >> 8) & 0xff}.${last}`;
    }
  }
}

/** A first address in a /16 of its own, picked at random: simulators of test runs that happen at the same time on
 *  one machine then hand out different addresses, and one run's probes never reach another run's servers. */
export function spreadFirstAddress(): number {
  return ((16 + Math.floor(Math.random() * 200)) << 16) + 2;
}
