#!/usr/bin/env node
// npm run kube-sim -- --port 6443 --kubeconfig ./kube-sim.kubeconfig [--state-dir d] [--snapshot f]
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startKubeSim } from './index.js';

const MIN_NODE_MAJOR = 24;

async function main(): Promise<void> {
  if (Number(process.versions.node.split('.')[0]) < MIN_NODE_MAJOR) {
    throw new Error(
      `kube-sim needs Node ${MIN_NODE_MAJOR}+ (run it through npm, which uses the workspace's Node); this is ${process.versions.node}`,
    );
  }
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      kubeconfig: { type: 'string' },
      'state-dir': { type: 'string' },
      snapshot: { type: 'string' },
      'start-delay': { type: 'string', default: '500,2000' },
      cpu: { type: 'string' },
      memory: { type: 'string' },
      pods: { type: 'string' },
      'game-port': { type: 'string' },
      'rcon-port': { type: 'string' },
    },
  });
  const [min = 0, max = min] = values['start-delay'].split(',').map(Number);
  const sim = await startKubeSim({
    port: Number(values.port),
    host: values.host,
    startDelayMs: [min, max],
    ...(values['state-dir'] ? { stateDir: resolve(values['state-dir']) } : {}),
    ...(values.snapshot ? { snapshotFile: resolve(values.snapshot) } : {}),
    ...(values['game-port'] ? { gamePort: Number(values['game-port']) } : {}),
    ...(values['rcon-port'] ? { rconPort: Number(values['rcon-port']) } : {}),
    ...(values.cpu || values.memory || values.pods
      ? { capacity: { cpu: values.cpu ?? '64', memory: values.memory ?? '256Gi', pods: Number(values.pods ?? 11_000) } }
      : {}),
  });
  const kubeconfigPath = values.kubeconfig ? resolve(values.kubeconfig) : sim.kubeconfigPath;
  if (values.kubeconfig) await writeFile(kubeconfigPath, sim.kubeconfig);
  console.log(`kube-sim listening on ${sim.url}`);
  console.log(`kubeconfig: ${kubeconfigPath}`);
  const shutdown = (signal: string) => {
    console.log(`kube-sim: ${signal}, stopping`);
    sim.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
