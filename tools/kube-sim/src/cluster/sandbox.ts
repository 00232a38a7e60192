// Runs a real process as if inside the pod's container: bubblewrap gives it a private
// root with the host's /usr, the pod volume at /data, the container's own /tmp (kept
// across its execs, as a container's writable layer is), a fresh PID namespace and only
// the container's environment. Commands are argument vectors, never shell strings.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const bubblewrapPackage = 'bubblewrap';
const toolsDir = '/opt/kube-sim/bin';
const containerPath = `${toolsDir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
const rconCliPath = fileURLToPath(new URL('../../bin/rcon-cli', import.meta.url));

export interface SandboxOptions {
  command: string[];
  dataDir: string; // the pod volume, mounted at /data
  tmpDir?: string; // the container's /tmp; a fresh tmpfs per process when absent
  env: Record<string, string>;
  hostname?: string;
}

let bwrapPath: string | null | undefined;

/** The bubblewrap binary, or null when it is not installed. */
export function findBubblewrap(): string | null {
  if (bwrapPath === undefined) {
    const which = spawnSync('which', ['bwrap'], { encoding: 'utf8' });
    bwrapPath = which.status === 0 ? which.stdout.trim() || null : null;
  }
  return bwrapPath;
}

export function sandboxArgs(opts: SandboxOptions): string[] {
  const args = [
    '--ro-bind',
    '/usr',
    '/usr',
    '--symlink',
    'usr/bin',
    '/bin',
    '--symlink',
    'usr/sbin',
    '/sbin',
    '--symlink',
    'usr/lib',
    '/lib',
    '--symlink',
    'usr/lib64',
    '/lib64',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    ...(opts.tmpDir ? ['--bind', opts.tmpDir, '/tmp'] : ['--tmpfs', '/tmp']),
    '--dir',
    '/root',
    '--bind',
    opts.dataDir,
    '/data',
    '--ro-bind',
    process.execPath,
    `${toolsDir}/node`,
  ];
  for (const file of ['/etc/passwd', '/etc/group', '/etc/hosts', '/etc/nsswitch.conf']) {
    if (existsSync(file)) args.push('--ro-bind', file, file);
  }
  if (existsSync(rconCliPath)) args.push('--ro-bind', rconCliPath, `${toolsDir}/rcon-cli`);
  args.push('--chdir', '/data', '--unshare-pid', '--die-with-parent', '--new-session', '--clearenv');
  const env: Record<string, string> = { PATH: containerPath, HOME: '/root', ...opts.env };
  if (opts.hostname) env['HOSTNAME'] = opts.hostname;
  for (const [name, value] of Object.entries(env)) args.push('--setenv', name, value);
  args.push('--', ...opts.command);
  return args;
}

/** Starts the command in the sandbox; throws when bubblewrap is missing. */
export function spawnInSandbox(opts: SandboxOptions): ChildProcessWithoutNullStreams {
  const bwrap = findBubblewrap();
  if (!bwrap) {
    throw new Error(
      `exec needs bubblewrap: install the "${bubblewrapPackage}" package (apt-get install -y ${bubblewrapPackage})`,
    );
  }
  return spawn(bwrap, sandboxArgs(opts), { stdio: 'pipe' });
}
