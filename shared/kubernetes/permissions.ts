// The Kubernetes API calls each function makes, as RBAC rules: the manifests must grant exactly these.
// The healer's are its own reads plus what each action of the catalog declares.
import { ACTION_CATALOG } from '../actions/catalog.ts';

export interface Permission {
  apiGroup: '' | 'apps' | 'autoscaling' | 'discovery.k8s.io' | 'events.k8s.io';
  resource: string;
  verbs: readonly string[];
}

/** Merges permissions on the same resource: one entry per apiGroup and resource, verbs in first-seen order. */
export function mergePermissions(lists: ReadonlyArray<readonly Permission[]>): Permission[] {
  const merged = new Map<string, Permission>();
  for (const p of lists.flat()) {
    const key = `${p.apiGroup}|${p.resource}`;
    const seen = merged.get(key);
    merged.set(key, seen ? { ...seen, verbs: [...new Set([...seen.verbs, ...p.verbs])] } : { ...p, verbs: [...p.verbs] });
  }
  return [...merged.values()];
}

/** Before it acts on a pod the healer re-reads it, and lists its workload's pods for the shared-cause guard. */
const HEALER_READS: readonly Permission[] = [{ apiGroup: '', resource: 'pods', verbs: ['get', 'list'] }];

/** Each action's outcome is recorded as a Kubernetes Event on what it touched; a repeat patches its series. */
const HEALER_EVENTS: readonly Permission[] = [{ apiGroup: 'events.k8s.io', resource: 'events', verbs: ['create', 'patch'] }];

export const FUNCTION_PERMISSIONS: Readonly<Record<string, readonly Permission[]>> = Object.freeze({
  'check-pods': [
    { apiGroup: '', resource: 'pods', verbs: ['list'] },
    // Exec opens a WebSocket with GET; the API server authorizes it as create and get on pods/exec.
    { apiGroup: '', resource: 'pods/exec', verbs: ['create', 'get'] },
  ],
  'check-dependencies': [{ apiGroup: 'discovery.k8s.io', resource: 'endpointslices', verbs: ['list'] }],
  'check-egress': [{ apiGroup: '', resource: 'pods', verbs: ['list'] }],
  healer: mergePermissions([HEALER_READS, ...ACTION_CATALOG.map((a) => a.permissions), HEALER_EVENTS]),
  'proxy-selector': [],
});
