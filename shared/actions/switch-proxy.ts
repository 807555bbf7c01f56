// Points a proxy Service at the primary or the secondary proxy by replacing its selector, so clients follow.
import type { KubeClients } from '../kubernetes/client.ts';
import type { EgressRule } from '../rules/schema.ts';
import { failure } from './outcome.ts';
import type { ActionOutcome } from './outcome.ts';

export async function switchProxy(kube: KubeClients, rule: EgressRule, to: 'primary' | 'secondary'): Promise<ActionOutcome> {
  const namespace = rule.namespace;
  const name = rule.service;
  const selector = rule.proxies[to].selector;
  try {
    const service = await kube.core.readNamespacedService({ namespace, name }, kube.options());
    const current = service.spec?.selector ?? {};
    const same = Object.keys(current).length === Object.keys(selector).length && Object.entries(selector).every(([k, v]) => current[k] === v);
    if (same) return { kind: 'performed', detail: `service ${namespace}/${name} already selects the ${to} proxy` };
    // A merge patch would merge selector keys; a JSON Patch replace swaps the whole selector, guarded by a test of the old one.
    await kube.core.patchNamespacedService(
      {
        namespace,
        name,
        body: [
          { op: 'test', path: '/spec/selector', value: current },
          { op: 'replace', path: '/spec/selector', value: selector },
        ],
      },
      kube.options('json'),
    );
    return { kind: 'performed', detail: `service ${namespace}/${name} now selects the ${to} proxy` };
  } catch (error) {
    return failure(error, `switching service ${namespace}/${name} to the ${to} proxy`);
  }
}
