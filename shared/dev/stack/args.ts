// The command line of `npm start`: parsed into a frozen value, or one message saying what is wrong.

export interface StackArgs {
  readonly simulate: boolean;
  readonly speed: number;
  readonly help: boolean;
  readonly portBase: number | undefined;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `usage: npm start -- [--simulate] [--speed N] [--port-base P] [--help]

Runs every selfheal function on loopback with a local Broker that fires the PingSources of
knative/pingsources.yaml and routes events by knative/triggers.yaml.

  --simulate   use the built-in simulated cluster (pods are local servers) instead of the
               cluster of the current kubeconfig
  --speed N    run the schedules N times faster (--speed 10: a 10-second schedule every 1 s)
  --port-base P  fixed ports: the Broker on P, then check-pods, check-dependencies,
               check-egress, healer, proxy-selector on P+1 … P+5 (default: free ports)
  --help       show this text

environment: REDIS_URL (default redis://127.0.0.1:6379, or a private redis-server),
             LOG_LEVEL (default info), KUBECONFIG (without --simulate)`;

export function parseArgs(argv: readonly string[]): StackArgs {
  let simulate = false;
  let speed = 1;
  let help = false;
  let portBase: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    switch (name) {
      case '--simulate':
        if (inline !== undefined) throw new UsageError('--simulate takes no value');
        simulate = true;
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
  return Object.freeze({ simulate, speed, help, portBase });
}
