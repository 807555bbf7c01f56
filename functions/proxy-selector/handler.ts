// The proxy selector: answers GET /groups/<group> with the active proxy of a group, 503 while every proxy fails.
import type { PlainResponse, Route } from '../../shared/http/function-server.ts';
import type { RuleSet } from '../../shared/rules/load.ts';
import type { EgressRule } from '../../shared/rules/schema.ts';
import type { HistoryStore } from '../../shared/store/history-store.ts';
import type { FunctionParts } from '../../shared/runtime/run-function.ts';

export function proxyUrl(rule: EgressRule, role: 'primary' | 'secondary'): string {
  const proxy = rule.proxies[role];
  return proxy.url ?? `http://${rule.service}-${role}.${rule.namespace}.svc.cluster.local:${proxy.port}`;
}

const USAGE = 'GET /groups/<group>';

export function selectorParts(deps: { rules: RuleSet; store: HistoryStore }, extra: { ready?: () => boolean | Promise<boolean>; close?: () => Promise<void> } = {}): FunctionParts {
  const groups = () => deps.rules.rules.filter((r): r is EgressRule & { actions: readonly string[] } => r.kind === 'egress');

  async function answer(rule: EgressRule): Promise<PlainResponse> {
    let state;
    try {
      state = await deps.store.proxyGroup(rule.name);
    } catch (error) {
      return { status: 503, body: { group: rule.name, error: `history store unavailable: ${(error as Error).message}` }, headers: { 'retry-after': '5' } };
    }
    if (state.status === 'AllFailed') {
      return { status: 503, body: { group: rule.name, state: state.status, active: null, url: null, error: 'every proxy of the group fails' }, headers: { 'retry-after': '30' } };
    }
    return { status: 200, body: { group: rule.name, state: state.status, active: state.active, url: proxyUrl(rule, state.active) }, headers: { 'cache-control': 'no-store' } };
  }

  const routes: Route[] = [
    {
      // What a person gets who opens the selector's address: what it answers, not a refusal.
      method: 'GET',
      path: /^\/$/,
      handle: async () => ({ status: 200, body: { function: 'proxy-selector', groups: groups().map((g) => g.name), ask: USAGE } }),
    },
    {
      method: 'GET',
      path: /^\/groups\/?$/,
      handle: async () => ({ status: 200, body: { groups: groups().map((g) => g.name) } }),
    },
    {
      method: 'GET',
      path: /^\/groups\/(?<group>[^/]+)$/,
      handle: async ({ group }) => {
        const rule = groups().find((g) => g.name === group);
        if (!rule) return { status: 404, body: { error: `unknown proxy group "${group}"`, groups: groups().map((g) => g.name) } };
        return answer(rule);
      },
    },
  ];
  return { handlers: {}, routes, usage: USAGE, ...extra };
}
