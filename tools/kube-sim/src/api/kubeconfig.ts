/** A kubeconfig for a kube-sim URL. client-node refuses plain http unless the cluster says insecure-skip-tls-verify. */
export function kubeconfigFor(url: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: kube-sim',
    '  cluster:',
    `    server: ${url}`,
    '    insecure-skip-tls-verify: true',
    'contexts:',
    '- name: kube-sim',
    '  context:',
    '    cluster: kube-sim',
    '    user: kube-sim',
    '    namespace: default',
    'current-context: kube-sim',
    'users:',
    '- name: kube-sim',
    '  user: {}',
    '',
  ].join('\n');
}
