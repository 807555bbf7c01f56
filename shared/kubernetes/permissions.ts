// The Kubernetes API calls each function makes, as RBAC rules: the manifests must grant exactly these.
export interface Permission {
  apiGroup: '' | 'apps' | 'discovery.k8s.io';
  resource: string;
  verbs: readonly string[];
}

export const FUNCTION_PERMISSIONS: Readonly<Record<string, readonly Permission[]>> = Object.freeze({
  'check-pods': [
    { apiGroup: '', resource: 'pods', verbs: ['list'] },
    // Exec opens a WebSocket with GET; the API server authorizes it as create and get on pods/exec.
    { apiGroup: '', resource: 'pods/exec', verbs: ['create', 'get'] },
  ],
  'check-dependencies': [{ apiGroup: 'discovery.k8s.io', resource: 'endpointslices', verbs: ['list'] }],
  'check-egress': [{ apiGroup: '', resource: 'pods', verbs: ['list'] }],
  healer: [
    { apiGroup: '', resource: 'pods', verbs: ['get', 'list', 'delete'] },
    { apiGroup: '', resource: 'pods/eviction', verbs: ['create'] },
    { apiGroup: '', resource: 'services', verbs: ['get', 'patch'] },
    { apiGroup: 'apps', resource: 'replicasets', verbs: ['get'] },
    { apiGroup: 'apps', resource: 'deployments/scale', verbs: ['get', 'patch'] },
  ],
  'proxy-selector': [],
});
