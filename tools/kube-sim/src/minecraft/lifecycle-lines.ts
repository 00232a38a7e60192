// What the image and the server print while starting and stopping, as data: the game
// server prints the start-up phases one after another, spread over the simulated boot time.
import type { LogEntry } from './console-format.js';
import type { ServerConfig } from './server-config.js';
import type { Properties } from './server-properties.js';

export function imageHeaderLines(now: Date): string[] {
  const stamp = now.toUTCString().slice(8, 22);
  return [
    `Running as uid=1000 gid=1000 with /data as 'drwxr-xr-x 2 1000 1000 4096 ${stamp} /data'`,
    'Image info: buildtime=2025-01-02T03:04:05Z,version=2025.1.0,revision=kube-sim',
  ];
}

export function imageInitLines(config: ServerConfig): string[] {
  const lines: string[] = [];
  if (config.generatedRconPassword) lines.push(`Generated RCON password: ${config.generatedRconPassword}`);
  lines.push(`Resolving type given ${config.type}`, ...typeInstallLines(config));
  return lines;
}

function typeInstallLines({ type, version }: ServerConfig): string[] {
  switch (type) {
    case 'PAPER':
      return [`Downloading Paper ${version} (build 232) into /data/paper-${version}-232.jar`];
    case 'SPIGOT':
      return [`Downloading Spigot ${version} into /data/spigot_server-${version}.jar`];
    case 'FORGE':
      return [`Resolved Forge version 54.0.16 for Minecraft ${version}`, `Installing Forge ${version}-54.0.16`];
    case 'FABRIC':
      return [`Installing Fabric ${version} using loader 0.16.9 and launcher 1.0.1`];
    default:
      return [`Resolved version given LATEST into ${version}`, `Downloading minecraft_server.${version}.jar ...`];
  }
}

export function imageLaunchLines(config: ServerConfig, changedProperties: number): string[] {
  return [
    `Created/updated ${changedProperties} ${changedProperties === 1 ? 'property' : 'properties'} in /data/server.properties`,
    `Setting initial memory to ${config.initMemory} and max to ${config.maxMemory}`,
    'Starting the Minecraft server...',
  ];
}

/** The server's own start-up, in phases; the last one is followed by the "Done" line. */
export function serverBootPhases(config: ServerConfig, props: Properties): LogEntry[][] {
  const main = (message: string): LogEntry => ({
    message,
    thread: config.type === 'FORGE' || config.type === 'FABRIC' ? 'main' : 'ServerMain',
  });
  const server = (message: string, level?: LogEntry['level']): LogEntry => ({ message, ...(level ? { level } : {}) });
  const level = props.get('level-name') || 'world';
  const launch: LogEntry[] = [];
  if (config.type === 'FORGE')
    launch.push(
      main(
        `ModLauncher running: args [--launchTarget, forgeserver, --fml.forgeVersion, 54.0.16, --fml.mcVersion, ${config.version}]`,
      ),
    );
  if (config.type === 'FABRIC') launch.push(main(`Loading Minecraft ${config.version} with Fabric Loader 0.16.9`));
  launch.push(
    main(
      'Environment: Environment[sessionHost=https://sessionserver.mojang.com, servicesHost=https://api.minecraftservices.com, name=PROD]',
    ),
  );
  launch.push(main('Loaded 1370 recipes'), main('Loaded 1481 advancements'));
  const start: LogEntry[] = [
    server(`Starting minecraft server version ${config.version}`),
    server('Loading properties'),
    server(`Default game type: ${(props.get('gamemode') || 'survival').toUpperCase()}`),
    server('Generating keypair'),
    server(`Starting Minecraft server on *:${props.get('server-port') || '25565'}`),
    server('Using epoll channel type'),
  ];
  if (config.type === 'PAPER')
    start.unshift(
      server(
        `This server is running Paper version ${config.version}-232-main@a1b2c3d (2025-01-02T03:04:05Z) (Implementing API version ${config.version}-R0.1-SNAPSHOT)`,
      ),
    );
  if (config.type === 'SPIGOT')
    start.unshift(
      server(
        `This server is running CraftBukkit version 4377-Spigot-a1b2c3d-e4f5a6b (MC: ${config.version}) (Implementing API version ${config.version}-R0.1-SNAPSHOT)`,
      ),
    );
  if (props.get('online-mode') === 'false') {
    start.push(
      server('**** SERVER IS RUNNING IN OFFLINE/INSECURE MODE!', 'WARN'),
      server('The server will make no attempt to authenticate usernames. Beware.', 'WARN'),
    );
  }
  start.push(server(`Preparing level "${level}"`));
  const worker = (message: string): LogEntry => ({ message, thread: 'Worker-Main-1' });
  return [
    launch,
    start,
    [server('Preparing start region for dimension minecraft:overworld'), worker('Preparing spawn area: 0%')],
    [worker('Preparing spawn area: 51%')],
    [worker('Preparing spawn area: 100%')],
  ];
}

export function rconStartLines(rconPort: string): LogEntry[] {
  return [
    { message: 'Starting remote control listener' },
    { message: 'Thread RCON Listener started' },
    { message: `RCON running on 0.0.0.0:${rconPort}` },
  ];
}

export const EULA_REFUSAL = [
  'Please accept the Minecraft EULA at',
  '  https://account.mojang.com/documents/minecraft_eula',
  "by adding the following immediately after 'docker run':",
  '  -e EULA=TRUE',
];

export function shutdownLines(levelName: string): LogEntry[] {
  const dimensions = ['overworld', 'the_nether', 'the_end'];
  return [
    { message: 'Stopping server' },
    { message: 'Saving players' },
    { message: 'Saving worlds' },
    ...dimensions.map((d) => ({ message: `Saving chunks for level 'ServerLevel[${levelName}]'/minecraft:${d}` })),
    ...dimensions.map((d) => ({
      message: `ThreadedAnvilChunkStorage (${d === 'overworld' ? levelName : `DIM${d === 'the_nether' ? '-1' : '1'}`}): All chunks are saved`,
    })),
    { message: 'ThreadedAnvilChunkStorage: All dimensions are saved' },
  ];
}

export const BIND_FAILURE: LogEntry[] = [
  { message: '**** FAILED TO BIND TO PORT!', level: 'WARN' },
  { message: 'The exception was: java.net.BindException: Address already in use', level: 'WARN' },
  { message: 'Perhaps a server is already running on that port?', level: 'WARN' },
];
