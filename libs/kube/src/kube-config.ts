import { KubeConfig, VersionApi } from '@kubernetes/client-node';
import type { Readiness } from '@blockplane/observability';

/** The cluster's KubeConfig: from the file at `path` when one is set, else the pod's own service account. */
export function loadKubeConfig(path: string | undefined): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (path) kubeConfig.loadFromFile(path);
  else kubeConfig.loadFromCluster();
  return kubeConfig;
}

/**
 * Makes the service ready only while the API server answers `/version`. The probe goes around `TracedKubeHttp`:
 * probes are neither traced nor counted, they are not the service's work.
 */
export function registerKubeReadiness(readiness: Readiness, kubeConfig: KubeConfig): void {
  const version = kubeConfig.makeApiClient(VersionApi);
  readiness.register('kubernetes', async () => {
    await version.getCode();
  });
}
