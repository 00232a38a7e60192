import {
  type Configuration,
  createConfiguration,
  type KubeConfig,
  ServerConfiguration,
  setHeaderMiddleware,
  wrapHttpLibrary,
} from '@kubernetes/client-node';
import { Counter, type Registry } from '@blockplane/observability';
import type { TracedKubeHttp } from './traced-kube-http.js';

/** What `KubeConfig.makeApiClient` builds, over `http` (one connection pool, traced and counted), as `userAgent`. */
export function kubeApiConfiguration(kubeConfig: KubeConfig, userAgent: string, http: TracedKubeHttp): Configuration {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig names no current cluster');
  return createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kubeConfig },
    middleware: [setHeaderMiddleware('User-Agent', userAgent)],
    httpApi: wrapHttpLibrary(http),
  });
}

/** The series `TracedKubeHttp`'s calls are counted in. */
export function kubeCallsCounter(registry: Registry): Counter<'verb' | 'code'> {
  return new Counter({
    name: 'panel_kube_api_calls_total',
    help: 'Kubernetes API calls, by verb and HTTP status code (0 when no answer came)',
    labelNames: ['verb', 'code'],
    registers: [registry],
  });
}
