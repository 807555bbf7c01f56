// Shared setup for the simulator's tests: a started simulator with a runtime that records pod lifecycle calls.
import type { TestContext } from 'node:test';
import { AppsV1Api, CoreV1Api, DiscoveryV1Api, type KubeConfig } from '@kubernetes/client-node';
import { startKubeSimulator, type KubeSimulator, type PodRuntime, type V1PodLike } from '../../../shared/dev/kube-sim/index.ts';

export interface Fixture {
  sim: KubeSimulator;
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  discovery: DiscoveryV1Api;
  started: V1PodLike[];
  stopped: V1PodLike[];
}

export async function startFixture(
  t: TestContext,
  opts: { recreateDelayMs?: number; exec?: PodRuntime['exec']; replicas?: number } = {},
): Promise<Fixture> {
  const started: V1PodLike[] = [];
  const stopped: V1PodLike[] = [];
  const runtime: PodRuntime = {
    podStarted: async (pod) => {
      started.push(pod);
    },
    podStopped: (pod) => {
      stopped.push(pod);
    },
    ...(opts.exec ? { exec: opts.exec } : {}),
  };
  const sim = await startKubeSimulator({ runtime, ...(opts.recreateDelayMs !== undefined ? { recreateDelayMs: opts.recreateDelayMs } : {}) });
  t.after(() => sim.close());
  await sim.createDeployment({
    namespace: 'shop',
    name: 'web',
    replicas: opts.replicas ?? 3,
    podLabels: { app: 'web', tier: 'frontend' },
    containers: [{ name: 'app', ports: [8080] }],
  });
  const kc = sim.kubeConfig();
  return {
    sim,
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    discovery: kc.makeApiClient(DiscoveryV1Api),
    started,
    stopped,
  };
}

// ApiException keeps the raw body text for status codes the generated client does not model.
export function statusOf(err: unknown): { code: number; body: Record<string, unknown> } {
  if (typeof err !== 'object' || err === null || !('code' in err)) throw err;
  const { code, body } = err as { code: number; body: unknown };
  const parsed: unknown = typeof body === 'string' ? JSON.parse(body) : body;
  return { code, body: parsed as Record<string, unknown> };
}

export async function rejection(promise: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    return statusOf(err);
  }
  throw new Error('expected the call to fail');
}
