// For specs: an API server over a fresh Store on an ephemeral loopback port, without the simulated cluster.
import { ApiException } from '@kubernetes/client-node';
import { ApiServer, type ApiServerOptions } from './api-server.js';
import { kubeconfigFor } from './kubeconfig.js';
import { Store } from './store.js';

export interface TestApiServer {
  api: ApiServer;
  store: Store;
  url: string;
  kubeconfig: string;
  stop(): Promise<void>;
}

export async function startTestApiServer(opts: Omit<ApiServerOptions, 'store'> = {}): Promise<TestApiServer> {
  const store = new Store();
  const api = new ApiServer({ store, ...opts });
  const url = await api.listen(0, '127.0.0.1');
  return { api, store, url, kubeconfig: kubeconfigFor(url), stop: () => api.close() };
}

/** JSON read from a raw response, which a spec probes freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- arbitrary JSON under test
export type LooseJson = any;

/** The Status body of a failed client-node call. */
export async function statusOf(
  call: Promise<unknown>,
): Promise<{ code: number; reason: string; message: string; details?: Record<string, unknown> }> {
  try {
    await call;
  } catch (e) {
    if (e instanceof ApiException) return JSON.parse(e.body as string);
    throw e;
  }
  throw new Error('expected the call to fail');
}
