import { afterAll, beforeAll } from '@jest/globals';
import { type KubeSim, startKubeSim } from '@blockplane/kube-sim';
import { describeServiceContract } from '@blockplane/service/testing';
import { consoleApp } from './console.app.js';

let sim: KubeSim;
beforeAll(async () => {
  sim = await startKubeSim({ startDelayMs: [0, 0] });
});
afterAll(() => sim.stop());

describeServiceContract(consoleApp, () => ({ KUBECONFIG: sim.kubeconfigPath }));
