// The simulator in a child process of its own, so that the benchmark's client (client-node, undici)
// neither shares its event loop nor counts in its memory. Parent ↔ child over the IPC channel:
// the child sends {url, kubeconfig} once started; 'rss' asks for its RSS after a full GC; 'stop' ends it.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { startKubeSim, type KubeSimOptions } from '@blockplane/kube-sim';
import { settledRss } from './measure.js';

type Request = { type: 'rss' } | { type: 'stop' };
type Reply = { type: 'started'; url: string; kubeconfig: string } | { type: 'rss'; rss: number };

export interface SimProcess {
  url: string;
  kubeconfig: string;
  /** The child's resident set size in bytes after a full garbage collection. */
  rss(): Promise<number>;
  stop(): Promise<void>;
}

export async function startSimProcess(options: KubeSimOptions): Promise<SimProcess> {
  const child = fork(fileURLToPath(import.meta.url), [JSON.stringify(options)], { execArgv: ['--expose-gc'] });
  const next = async <T extends Reply['type']>(type: T): Promise<Extract<Reply, { type: T }>> => {
    for (;;) {
      const [message] = (await once(child, 'message')) as [Reply];
      if (message.type === type) return message as Extract<Reply, { type: T }>;
    }
  };
  const started = await next('started');
  const send = (request: Request) => child.send(request);
  return {
    url: started.url,
    kubeconfig: started.kubeconfig,
    rss: async () => {
      send({ type: 'rss' });
      return (await next('rss')).rss;
    },
    stop: () => stopChild(child, send),
  };
}

async function stopChild(child: ChildProcess, send: (r: Request) => void): Promise<void> {
  const exited = once(child, 'exit');
  send({ type: 'stop' });
  await exited;
}

async function runChild(): Promise<void> {
  const sim = await startKubeSim(JSON.parse(process.argv[2] ?? '{}') as KubeSimOptions);
  const reply = (message: Reply) => process.send?.(message);
  process.on('message', (request: Request) => {
    if (request.type === 'rss') reply({ type: 'rss', rss: settledRss() });
    else void sim.stop().then(() => process.exit(0));
  });
  reply({ type: 'started', url: sim.url, kubeconfig: sim.kubeconfig });
}

if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) await runChild();
