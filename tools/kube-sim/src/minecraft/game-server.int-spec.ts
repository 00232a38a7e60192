import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '@blockplane/testing';
import { RCON, status, statusLegacy } from 'minecraft-server-util';
import { startGameServer, type GameServer } from './index.js';
import { parseProperties } from './server-properties.js';

const RCON_CLI = join(dirname(fileURLToPath(import.meta.url)), '../../bin/rcon-cli');
const PASSWORD = 'swordfish';

let root: string;
let gamePort: number;
let rconPort: number;
let hostCounter = 0;

interface Started {
  server: GameServer;
  host: string;
  dataDir: string;
  output: string[];
}

async function start(env: Record<string, string>, dataDir?: string): Promise<Started> {
  const host = `127.0.77.${++hostCounter}`;
  const dir = dataDir ?? (await mkdtemp(join(root, 'data-')));
  const output: string[] = [];
  const server = startGameServer({
    env,
    dataDir: dir,
    host,
    gamePort,
    rconPort,
    onOutput: (line) => output.push(line),
  });
  return { server, host, dataDir: dir, output };
}

async function running(env: Record<string, string> = {}, dataDir?: string): Promise<Started> {
  const started = await start({ EULA: 'TRUE', RCON_PASSWORD: PASSWORD, ...env }, dataDir);
  await started.server.ready;
  return started;
}

async function rcon(host: string, command: string): Promise<string> {
  const client = new RCON();
  await client.connect(host, rconPort, { timeout: 2000 });
  try {
    await client.login(PASSWORD, { timeout: 2000 });
    return await client.execute(command);
  } finally {
    client.close();
  }
}

const ping = (host: string) => status(host, gamePort, { enableSRV: false, timeout: 2000 });

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kube-sim-mc-'));
  gamePort = await freePort();
  rconPort = await freePort();
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('start-up', () => {
  it('prints the image and server lines, answers the Server List Ping and writes the volume', async () => {
    const { server, host, dataDir, output } = await running({ TYPE: 'vanilla', MAX_PLAYERS: '7' });
    expect(output[0]).toMatch(/^\[init\] Running as uid=1000 gid=1000 with \/data as/);
    expect(output).toContain('[init] Resolving type given VANILLA');
    expect(
      output.some((l) =>
        /^\[\d\d:\d\d:\d\d\] \[Server thread\/INFO\]: Starting minecraft server version 1\.21\.4$/.test(l),
      ),
    ).toBe(true);
    expect(output.some((l) => /\]: Done \(\d+\.\d{3}s\)! For help, type "help"$/.test(l))).toBe(true);

    const answer = await ping(host);
    expect(answer.version).toEqual({ name: '1.21.4', protocol: 769 });
    expect(answer.players).toEqual({ online: 0, max: 7, sample: [] });
    expect(answer.motd.clean).toBe('A Vanilla Minecraft Server powered by Docker');
    const legacy = await statusLegacy(host, gamePort, { enableSRV: false, timeout: 2000 });
    expect(legacy.players).toEqual({ online: 0, max: 7 });

    expect(await readFile(join(dataDir, 'eula.txt'), 'utf8')).toMatch(/^eula=true$/m);
    const props = parseProperties(await readFile(join(dataDir, 'server.properties'), 'utf8'));
    expect(props.get('max-players')).toBe('7');
    expect(props.get('rcon.password')).toBe(PASSWORD);
    expect((await stat(join(dataDir, 'world', 'level.dat'))).size).toBeGreaterThan(0);
    expect(JSON.parse(await readFile(join(dataDir, 'banned-players.json'), 'utf8'))).toEqual([]);

    server.signal('SIGTERM');
    expect(await server.exited).toBe(0);
    const log = await readFile(join(dataDir, 'logs', 'latest.log'), 'utf8');
    expect(log.trimEnd().split('\n')).toEqual(output);
  });

  it('refuses to start without the EULA and exits 1', async () => {
    const { server, output } = await start({ EULA: 'no' });
    expect(await server.exited).toBe(1);
    await expect(server.ready).rejects.toThrow(/exited with code 1/);
    expect(output).toContain('[init] ERROR: Please accept the Minecraft EULA at');
    expect(output).toContain('[init] ERROR:   -e EULA=TRUE');
  });

  it('rejects an unknown TYPE', async () => {
    const { server, output } = await start({ EULA: 'true', TYPE: 'BEDROCKISH' });
    expect(await server.exited).toBe(1);
    expect(output).toContain("[init] ERROR: Invalid TYPE: 'BEDROCKISH'");
  });

  it('prints the type-flavoured format for Paper', async () => {
    const { server, host, output } = await running({ TYPE: 'PAPER' });
    expect(output.some((l) => /^\[\d\d:\d\d:\d\d INFO\]: This server is running Paper version 1\.21\.4/.test(l))).toBe(
      true,
    );
    expect((await ping(host)).version.name).toBe('Paper 1.21.4');
    server.signal('SIGKILL');
    expect(await server.exited).toBe(137);
  });

  it('generates and logs an RCON password when none is given', async () => {
    const { server, host, dataDir, output } = await start({ EULA: 'true' });
    await server.ready;
    const generated = /Generated RCON password: ([0-9a-f]{24})$/.exec(
      output.find((l) => l.includes('Generated RCON password')) ?? '',
    )?.[1];
    expect(generated).toBeDefined();
    expect(await readFile(join(dataDir, '.rcon-cli.env'), 'utf8')).toBe(`password=${generated}\n`);
    const client = new RCON();
    await client.connect(host, rconPort, { timeout: 2000 });
    await client.login(generated ?? '', { timeout: 2000 });
    expect(await client.execute('seed')).toMatch(/^Seed: \[-?\d+\]$/);
    client.close();
    server.signal('SIGTERM');
    await server.exited;
  });
});

describe('server.properties', () => {
  it('keeps user edits across a restart while the environment wins for the keys it sets', async () => {
    const first = await running({ DIFFICULTY: 'hard', SEED: 'blockplane' });
    const seed = await rcon(first.host, 'seed');
    first.server.stdin('stop');
    expect(await first.server.exited).toBe(0);

    const path = join(first.dataDir, 'server.properties');
    const edited = (await readFile(path, 'utf8'))
      .replace(/^motd=.*$/m, 'motd=Edited in the file manager')
      .replace(/^max-players=.*$/m, 'max-players=5')
      .replace(/^difficulty=.*$/m, 'difficulty=peaceful');
    await writeFile(path, edited + 'custom-key=kept\n');

    const second = await running({ DIFFICULTY: 'hard', SEED: 'blockplane' }, first.dataDir);
    const answer = await ping(second.host);
    expect(answer.motd.clean).toBe('Edited in the file manager');
    expect(answer.players.max).toBe(5);
    expect(await rcon(second.host, 'difficulty')).toBe('The difficulty is Hard');
    expect(await rcon(second.host, 'seed')).toBe(seed);
    const props = parseProperties(await readFile(path, 'utf8'));
    expect(props.get('custom-key')).toBe('kept');
    expect(props.get('difficulty')).toBe('hard');
    second.server.signal('SIGTERM');
    expect(await second.server.exited).toBe(0);
  });
});

describe('players, commands and RCON', () => {
  let s: Started;
  beforeAll(async () => {
    s = await running({ OPS: 'carol' });
  });
  afterAll(async () => {
    s.server.signal('SIGKILL');
    await s.server.exited;
  });

  it('shows players who join and leave in the ping and in list', async () => {
    s.server.addPlayer('alice');
    s.server.addPlayer('bob');
    const answer = await ping(s.host);
    expect(answer.players.online).toBe(2);
    expect(answer.players.sample?.map((p) => p.name)).toEqual(['alice', 'bob']);
    expect(answer.players.sample?.[0]?.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(await rcon(s.host, 'list')).toBe('There are 2 of a max of 20 players online: alice, bob');
    expect(s.output.some((l) => l.endsWith(']: alice joined the game'))).toBe(true);
    // A query's answer goes to the RCON client only, as on a real server.
    expect(s.output.some((l) => l.includes('There are 2 of a max'))).toBe(false);

    s.server.removePlayer('alice');
    expect(s.server.players()).toEqual(['bob']);
    expect(s.output.some((l) => l.endsWith(']: alice left the game'))).toBe(true);
    expect((await ping(s.host)).players.online).toBe(1);
  });

  it('updates ops.json and whitelist.json and answers like the real server', async () => {
    const ops = () =>
      readFile(join(s.dataDir, 'ops.json'), 'utf8').then((t) =>
        (JSON.parse(t) as Array<{ name: string }>).map((e) => e.name),
      );
    expect(await ops()).toEqual(['carol']);
    expect(await rcon(s.host, 'op dave')).toBe('Made dave a server operator');
    expect(await rcon(s.host, 'op dave')).toBe('Nothing changed. The player already is an operator');
    expect(await ops()).toEqual(['carol', 'dave']);
    expect(await rcon(s.host, 'whitelist add erin')).toBe('Added erin to the whitelist');
    expect(await rcon(s.host, 'whitelist list')).toBe('There are 1 whitelisted player(s): erin');
    expect(await rcon(s.host, 'time set night')).toBe('Set the time to 13000');
    expect(await rcon(s.host, 'weather thunder')).toBe('Set the weather to rain & thunder');
    expect(await rcon(s.host, 'gamerule keepInventory true')).toBe('Gamerule keepInventory is now set to: true');
    expect(await rcon(s.host, 'nosuchcommand')).toBe(
      'Unknown or incomplete command, see below for error...uchcommand<--[HERE]',
    );
    s.server.stdin('kick bob');
    expect(s.output.some((l) => l.endsWith(']: Kicked bob: Kicked by an operator'))).toBe(true);
    expect(s.server.players()).toEqual([]);
  });

  it('refuses a bad RCON password with id -1', async () => {
    const client = new RCON();
    await client.connect(s.host, rconPort, { timeout: 2000 });
    await expect(client.login('wrong-password', { timeout: 2000 })).rejects.toThrow('Invalid RCON password');
    client.close();
  });

  it('serves the rcon-cli script, one command or interactively', async () => {
    const run = promisify(execFile);
    const env = { ...process.env, RCON_HOST: s.host, RCON_PORT: String(rconPort), RCON_PASSWORD: PASSWORD };
    const { stdout } = await run(process.execPath, [RCON_CLI, 'whitelist', 'list'], { env });
    expect(stdout).toBe('There are 1 whitelisted player(s): erin\n');
    const flags = await run(
      process.execPath,
      [RCON_CLI, '--host', s.host, '--port', String(rconPort), '--password', PASSWORD, 'seed'],
      { env: {} },
    );
    expect(flags.stdout).toMatch(/^Seed: \[-?\d+\]\n$/);
    await expect(run(process.execPath, [RCON_CLI, '--password', 'wrong', 'list'], { env })).rejects.toMatchObject({
      code: 1,
    });
    const interactive = execFile(process.execPath, [RCON_CLI], { env });
    let out = '';
    interactive.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    interactive.stdin?.end('difficulty\nexit\n');
    const code = await new Promise((resolve) => interactive.on('exit', resolve));
    expect(code).toBe(0);
    expect(out).toContain('The difficulty is Easy');
  });
});

describe('shared listeners', () => {
  it('routes by the dialled address and refuses addresses nobody owns', async () => {
    const a = await running({ MOTD: 'server A' });
    const b = await running({ MOTD: 'server B' });
    expect((await ping(a.host)).motd.clean).toBe('server A');
    expect((await ping(b.host)).motd.clean).toBe('server B');
    await expect(ping('127.0.77.250')).rejects.toBeDefined();
    a.server.signal('SIGTERM');
    await a.server.exited;
    await expect(ping(a.host)).rejects.toBeDefined();
    expect((await ping(b.host)).motd.clean).toBe('server B');
    b.server.signal('SIGTERM');
    await b.server.exited;
  });

  it('stops through the stop command with the real shutdown lines', async () => {
    const { server, output } = await running();
    server.stdin('stop');
    expect(await server.exited).toBe(0);
    const stopAt = output.findIndex((l) => l.endsWith(']: Stopping the server'));
    expect(stopAt).toBeGreaterThan(0);
    expect(output.slice(stopAt + 1).some((l) => l.endsWith(']: Stopping server'))).toBe(true);
    await expect(
      new Promise((resolve, reject) => connect(rconPort, '127.0.0.1').on('connect', resolve).on('error', reject)),
    ).rejects.toBeDefined();
  });
});
