// switch-proxy: points a proxy Service at the primary or the secondary proxy by replacing its selector, so clients follow.
import type { KubeClients } from '../kubernetes/client.ts';
import { defineAction } from './action.ts';
import { about, failure, resolveByReading, unanswered } from './outcome.ts';
import type { ActionOutcome } from './outcome.ts';

function sameSelector(current: Record<string, string>, wanted: Record<string, string>): boolean {
  return Object.keys(current).length === Object.keys(wanted).length && Object.entries(wanted).every(([k, v]) => current[k] === v);
}

/** No answer came: the Service as it is now says whether the patch was served. */
async function resolveUnanswered(kube: KubeClients, namespace: string, name: string, to: string, selector: Record<string, string>, error: unknown): Promise<ActionOutcome> {
  const where = `service ${namespace}/${name}`;
  return resolveByReading(
    () => kube.core.readNamespacedService({ namespace, name }, kube.options()),
    (service) => {
      const done = sameSelector(service.spec?.selector ?? {}, selector);
      return { done, what: `${where} ${done ? 'selects' : 'does not select'} the ${to} proxy` };
    },
    { where, verb: 'switched' },
    error,
  );
}

export const switchProxy = defineAction({
  name: 'switch-proxy',
  budgeted: true,
  replacesPod: false,
  confirmsFirst: false,
  readsPod: false,
  permissions: [{ apiGroup: '', resource: 'services', verbs: ['get', 'patch'] }],
  async perform(ctx, { rule, to }) {
    if (!to || !rule.service || !rule.proxies) return { kind: 'failed', transient: false, detail: 'switch-proxy is an action of egress rules only' };
    const outcome = await switchTo(await ctx.kube(), rule.namespace, rule.service, to, rule.proxies[to].selector);
    return about(outcome, { apiVersion: 'v1', kind: 'Service', namespace: rule.namespace, name: rule.service });
  },
});

/** Replaces the Service's selector with the wanted proxy's, unless it selects it already. */
async function switchTo(kube: KubeClients, namespace: string, name: string, to: string, selector: Record<string, string>): Promise<ActionOutcome> {
  try {
    const service = await kube.core.readNamespacedService({ namespace, name }, kube.options());
    const current = service.spec?.selector ?? {};
    if (sameSelector(current, selector)) return { kind: 'performed', detail: `service ${namespace}/${name} already selects the ${to} proxy` };
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
    if (unanswered(error)) return resolveUnanswered(kube, namespace, name, to, selector, error);
    return failure(error, `switching service ${namespace}/${name} to the ${to} proxy`);
  }
}
