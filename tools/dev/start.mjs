// `npm start`: builds, migrates and runs the whole stack on this machine's defaults:
// local PostgreSQL and NATS, the Kubernetes simulator, and every service, then says where to open it.
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

execFileSync(process.execPath, ['tools/dev/check-node.mjs'], { stdio: 'inherit' });

const stateDir = '.blockplane';
const logDir = join(stateDir, 'logs');
mkdirSync(logDir, { recursive: true });

const env = {
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/blockplane',
  NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
};
const services = [
  ['auth', 8081],
  ['servers', 8082],
  ['provisioner', 8083],
  ['console', 8084],
  ['files', 8085],
  ['gateway', Number(process.env.GATEWAY_PORT ?? 8080)],
];

const step = (what, command, args) => {
  console.log(`• ${what}`);
  execFileSync(command, args, { stdio: 'inherit', env });
};

step('Debian packages, PostgreSQL and NATS', 'bash', ['tools/dev/ensure-machine.sh']);
step('Building (tsc -b)', process.execPath, ['node_modules/typescript/bin/tsc', '-b']);
for (const service of ['auth', 'servers', 'provisioner']) {
  execFileSync(process.execPath, [`apps/${service}/dist/migrate.js`, 'up'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  });
}
console.log('• Migrations applied');

const children = [];
let stopping = false;
function run(name, args, childEnv) {
  const log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
  const child = spawn(process.execPath, args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  child.stderr.on('data', (chunk) => process.stderr.write(`[${name}] ${chunk}`));
  child.once('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); see ${join(logDir, `${name}.log`)}. Stopping the stack.`);
      void stop(1);
    }
  });
  children.push(child);
  return child;
}

if (!env.KUBECONFIG) {
  env.KUBECONFIG = join(process.cwd(), stateDir, 'kubeconfig');
  run(
    'kube-sim',
    [
      'tools/kube-sim/dist/cli.js',
      '--port',
      process.env.KUBE_SIM_PORT ?? '6443',
      '--kubeconfig',
      env.KUBECONFIG,
      '--state-dir',
      join(stateDir, 'kube-sim'),
      '--snapshot',
      join(stateDir, 'kube-sim.json'),
    ],
    env,
  );
  await waitUntil(
    'the Kubernetes simulator',
    () => existsSync(env.KUBECONFIG) && readFileSync(env.KUBECONFIG, 'utf8').includes('server:'),
  );
  console.log(`• Kubernetes simulator up (kubeconfig: ${env.KUBECONFIG})`);
}

for (const [name, port] of services) run(name, [`apps/${name}/dist/main.js`], { ...env, PORT: String(port) });
for (const [name, port] of services) {
  await waitUntil(
    name,
    async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200,
  );
}

const gateway = `http://127.0.0.1:${services.at(-1)[1]}`;
console.log(
  `\nBlockplane is up: ${gateway}/api/v1/status (kubectl: KUBECONFIG=${env.KUBECONFIG}). Logs: ${logDir}/. Ctrl-C stops it.`,
);

async function stop(code) {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    children
      .filter((child) => child.exitCode === null)
      .map((child) => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM')))),
  );
  process.exit(code);
}
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

async function waitUntil(what, probe, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) {
      console.error(`${what} was not ready within ${timeoutMs / 1000} s; see ${logDir}/`);
      await stop(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
