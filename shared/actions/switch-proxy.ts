// switch-proxy: points a proxy Service at the primary or the secondary proxy by replacing its selector, so clients follow.
import { defineAction } from './action.ts';
import { failure } from './outcome.ts';

export const switchProxy = defineAction({
  name: 'switch-proxy',
  budgeted: true,
  replacesPod: false,
  readsPod: false,
  permissions: [{ apiGroup: '', resource: 'services', verbs: ['get', 'patch'] }],
  async perform(ctx, { rule, to }) {
    if (!to || !rule.service || !rule.proxies) return { kind: 'failed', transient: false, detail: 'switch-proxy is an action of egress rules only' };
    const kube = await ctx.kube();
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
  },
});
