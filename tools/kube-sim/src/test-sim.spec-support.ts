// For specs: a simulator whose game servers listen on free ports, so parallel jest workers never collide.
import { freePort } from '@blockplane/testing';
import { startKubeSim, type KubeSim, type KubeSimOptions } from './index.js';

export async function startTestSim(opts: KubeSimOptions = {}): Promise<KubeSim> {
  return startKubeSim({ startDelayMs: [0, 0], gamePort: await freePort(), rconPort: await freePort(), ...opts });
}
