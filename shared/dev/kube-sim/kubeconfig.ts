// Kubeconfig text and KubeConfig objects that point the real client at the simulator over plain HTTP.
import { KubeConfig } from '@kubernetes/client-node';

export const SIM_TOKEN = 'kube-sim-token';

export function kubeconfigYaml(url: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: kube-sim',
    '    cluster:',
    `      server: ${url}`,
    // The client insists on TLS settings even for http:// servers; skipping verification keeps it quiet.
    '      insecure-skip-tls-verify: true',
    'users:',
    '  - name: kube-sim',
    '    user:',
    `      token: ${SIM_TOKEN}`,
    'contexts:',
    '  - name: kube-sim',
    '    context:',
    '      cluster: kube-sim',
    '      user: kube-sim',
    '      namespace: default',
    'current-context: kube-sim',
    '',
  ].join('\n');
}

export function makeKubeConfig(url: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml(url));
  return kc;
}
