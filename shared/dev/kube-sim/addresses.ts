// Hands out a fresh loopback address per pod (127.0.0.2 upwards), never reusing one during the simulator's life.
import { createServer } from 'node:net';
import type { Server } from 'node:net';

export interface AddressAllocator {
  allocate(): string;
}

export class LoopbackAllocator implements AddressAllocator {
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

/** The port a simulator holds on the .1 of its /16 (127.x.0.1) while it runs: its claim on the block, seen by every
 *  other simulator on the machine. A pod never gets a .1, so the claim never collides with a pod's server. */
export const CLAIM_PORT = 39_917;

export interface AddressBlock {
  /** The offset of the block's first pod address (127.x.0.2). */
  readonly first: number;
  release(): Promise<void>;
}

/** Binds 127.x.0.1:CLAIM_PORT; undefined when another process holds it. */
async function claim(block: number): Promise<Server | undefined> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined));
    server.listen({ port: CLAIM_PORT, host: `127.${block}.0.1`, exclusive: true }, () => {
      server.unref();
      resolve(server);
    });
  });
}

/** A block of pod addresses no other simulator on this machine holds.
 *  'fixed': 127.0.0.x, claimed when free (a caller that asks for fixed addresses gets them regardless);
 *  'free': 127.0.0.x when free, else a random free block (a person's first stack gets the short addresses);
 *  'spread': a random free block. */
export async function claimAddressBlock(mode: 'fixed' | 'free' | 'spread'): Promise<AddressBlock> {
  const tried = new Set<number>();
  const candidates = (): number[] => {
    const out = mode === 'spread' ? [] : [0];
    for (let i = 0; i < 64; i++) out.push(spreadFirstAddress() >> 16);
    return out;
  };
  for (const block of candidates()) {
    if (tried.has(block)) continue;
    tried.add(block);
    const server = await claim(block);
    if (server || mode === 'fixed') {
      return {
        first: (block << 16) + 2,
        release: () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
      };
    }
  }
  throw new Error(`kube-sim: no free block of loopback addresses (tried ${[...tried].map((b) => `127.${b}.0.0/16`).join(', ')})`);
}

/** Pods get these addresses in turn, so a few real servers stand for thousands of pods (benchmarks of check
 *  fan-out). Pods sharing an address cannot each run a server of their own: tests that start servers per pod never use it. */
export class AddressPool implements AddressAllocator {
  private readonly addresses: readonly string[];
  private next = 0;

  constructor(addresses: readonly string[]) {
    if (addresses.length === 0) throw new Error('kube-sim: an address pool needs at least one address');
    for (const a of addresses) {
      if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a)) throw new Error(`kube-sim: a pooled pod address must be in 127.0.0.0/8, got ${a}`);
    }
    this.addresses = [...addresses];
  }

  allocate(): string {
    const a = this.addresses[this.next % this.addresses.length]!;
    this.next++;
    return a;
  }
}
