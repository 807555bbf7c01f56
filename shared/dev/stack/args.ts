// The command line of `npm start`: parsed into a frozen value, or one message saying what is wrong.

export interface StackArgs {
  readonly simulate: boolean;
  readonly speed: number;
  readonly help: boolean;
  readonly portBase: number | undefined;
  /** A key prefix of this run's own: no history of earlier runs. */
  readonly fresh: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `usage: npm start -- [--simulate] [--speed N] [--port-base P] [--fresh] [--help]

Runs every selfheal function on loopback with a local Broker that fires the PingSources of
knative/pingsources.yaml and routes events by knative/triggers.yaml.

  --simulate   use the built-in simulated cluster (pods are local servers) instead of the
               cluster of the current kubeconfig
  --speed N    run rule time N times faster: schedules, cooldowns, verify windows, startup
               graces, the budget window (--speed 10: a 10-second schedule every 1 s,
               a 5-minute cooldown 30 s)
  --port-base P  fixed ports: the Broker on P, then check-pods, check-dependencies,
               check-egress, healer, proxy-selector on P+1 … P+5 (default: free ports)
  --fresh      keep this run's history under a Redis key prefix of its own
               (selfheal-run-<time>), so nothing from earlier runs counts
  --help       show this text

environment: REDIS_URL (default redis://127.0.0.1:6379, or a private redis-server),
             REDIS_KEY_PREFIX (default: the manifests', selfheal), LOG_LEVEL (default info;
             above --speed 2 the functions log warnings only), KUBECONFIG (without --simulate); any variable a
             function's manifest in knative/ sets is taken from the environment when set there`;

export function parseArgs(argv: readonly string[]): StackArgs {
  let simulate = false;
  let speed = 1;
  let help = false;
  let portBase: number | undefined;
  let fresh = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    switch (name) {
      case '--simulate':
        if (inline !== undefined) throw new UsageError('--simulate takes no value');
        simulate = true;
        break;
      case '--fresh':
        if (inline !== undefined) throw new UsageError('--fresh takes no value');
        fresh = true;
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      case '--speed': {
        const text = inline ?? argv[++i];
        if (text === undefined) throw new UsageError('--speed needs a number, e.g. --speed 10');
        const n = Number(text);
        if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--speed needs a positive number, got "${text}"`);
        speed = n;
        break;
      }
      case '--port-base': {
        const text = inline ?? argv[++i];
        const n = Number(text);
        if (text === undefined || !Number.isInteger(n) || n < 1024 || n > 65_530) throw new UsageError(`--port-base needs a port from 1024 to 65530, got "${text ?? ''}"`);
        portBase = n;
        break;
      }
      default:
        throw new UsageError(`unknown argument "${arg}"`);
    }
  }
  return Object.freeze({ simulate, speed, help, portBase, fresh });
}
