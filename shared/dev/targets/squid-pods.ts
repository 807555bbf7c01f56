// The Squids of simulated proxy pods, for a kube-sim PodRuntime: a pod's start (also a replacement's) starts its
// own Squid, its stop stops it, a restart of its containers in place starts a fresh one, and exec of `squid …` in
// the pod runs the real squid against that pod's Squid.
import type { ExecReply, V1PodLike } from '../kube-sim/index.ts';
import { startSquid } from './squid.ts';
import type { SquidOptions, SquidProxy } from './squid.ts';

export interface SquidPods {
  /** Squids by pod name (a stopped pod's is gone; one shut down by `squid -k shutdown` stays until its pod stops). */
  readonly byPod: ReadonlyMap<string, SquidProxy>;
  /** For PodRuntime.podStarted: a fresh Squid on the pod's address. */
  start(pod: V1PodLike, options: Omit<SquidOptions, 'host'>): Promise<SquidProxy>;
  /** For PodRuntime.podStopped. */
  stop(pod: V1PodLike): Promise<void>;
  /** For PodRuntime.containersRestarted: the pod's Squid (running or shut down) is replaced by a fresh one with the
   *  same options; undefined for a pod without one. */
  restart(pod: V1PodLike): Promise<SquidProxy | undefined>;
  /**
   * For PodRuntime.exec: `squid <args>` in a pod with a Squid runs `squid <args> -d 1 -f <its config> -n <its name>`
   * (what a container's default config and service name give); undefined for any other pod or command. `-d 1`
   * copies Squid's messages to stderr, as a container's log to stderr would show them, so a FATAL reaches the output.
   */
  exec(pod: V1PodLike, command: readonly string[]): Promise<ExecReply> | undefined;
  closeAll(): Promise<void>;
}

function key(pod: V1PodLike): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

export function squidPods(): SquidPods {
  const squids = new Map<string, SquidProxy>();
  const optionsOf = new Map<string, Omit<SquidOptions, 'host'>>();
  const byPod = new Map<string, SquidProxy>();
  const start = async (pod: V1PodLike, options: Omit<SquidOptions, 'host'>): Promise<SquidProxy> => {
    const squid = await startSquid({ ...options, host: pod.status.podIP });
    squids.set(key(pod), squid);
    optionsOf.set(key(pod), options);
    byPod.set(pod.metadata.name, squid);
    return squid;
  };
  const stop = async (pod: V1PodLike): Promise<void> => {
    const squid = squids.get(key(pod));
    if (squid === undefined) return;
    squids.delete(key(pod));
    optionsOf.delete(key(pod));
    if (byPod.get(pod.metadata.name) === squid) byPod.delete(pod.metadata.name);
    await squid.close();
  };
  return {
    byPod,
    start,
    stop,
    async restart(pod) {
      const options = optionsOf.get(key(pod));
      if (options === undefined) return undefined;
      await stop(pod);
      return start(pod, options);
    },
    exec(pod, command) {
      const squid = squids.get(key(pod));
      if (squid === undefined || command[0] !== 'squid') return undefined;
      return squid.squidCommand([...command.slice(1), '-d', '1']).then((r) => ({ exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr }));
    },
    async closeAll() {
      const all = [...squids.values()];
      squids.clear();
      optionsOf.clear();
      byPod.clear();
      await Promise.all(all.map((s) => s.close()));
    },
  };
}
