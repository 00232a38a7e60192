import 'reflect-metadata';
import type { Server } from 'node:http';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import type { RequestHandler } from 'express';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  ConfigError,
  type ConfigOf,
  type ConfigSection,
  type HttpConfig,
  httpSection,
  loadConfig,
  logSection,
  natsSection,
  telemetrySection,
} from '@blockplane/config';
import type { ServiceName } from '@blockplane/contracts';
import {
  createLogger,
  createMetricsRegistry,
  httpDurationHistogram,
  type Logger,
  NestLogger,
  Readiness,
  startTelemetry,
} from '@blockplane/observability';
import { countBuffersByWhatTheyHold } from './heap-limits.js';
import { httpObservability } from './http-observability.middleware.js';
import { ServiceCoreModule } from './service-core.module.js';

const baseSections = (port: number) => ({
  http: httpSection(port),
  log: logSection,
  telemetry: telemetrySection,
  nats: natsSection,
});
type BaseSections = ReturnType<typeof baseSections>;

export type ServiceConfig<Extra extends Record<string, ConfigSection>> = ConfigOf<BaseSections & Extra>;

export interface ServiceDefinition<Extra extends Record<string, ConfigSection>> {
  name: ServiceName;
  defaultPort: number;
  /** The service's own variables, beyond HOST, PORT, LOG_LEVEL, NATS_* and OTEL_*. */
  sections: Extra;
  /** The app's feature modules, built from its validated config. */
  modules(config: ServiceConfig<Extra>): DynamicModule[];
  /** Request body limit for JSON bodies. */
  jsonLimit?: string;
  /** Express middleware run on every request before its body is parsed (an edge's headers, CORS, origin checks). */
  edge?(config: ServiceConfig<Extra>): RequestHandler[];
  /**
   * Whether the service's work is streaming bulk bytes, so that V8 should count buffers by what they hold
   * (`heap-limits.ts`): far fewer full collections per byte, but longer pauses when one comes — a trade for
   * the files service, not for a service answering sockets (it tripled the gateway's event-loop delay p99).
   */
  streamsBulkBytes?: boolean;
}

export function loadServiceConfig<Extra extends Record<string, ConfigSection>>(
  definition: ServiceDefinition<Extra>,
  env?: Record<string, string | undefined>,
): ServiceConfig<Extra> {
  return loadConfig({ ...baseSections(definition.defaultPort), ...definition.sections }, env) as ServiceConfig<Extra>;
}

/** Builds the app (not yet listening): used by `runService` and by integration tests. */
export async function createServiceApp<Extra extends Record<string, ConfigSection>>(
  definition: ServiceDefinition<Extra>,
  config: ServiceConfig<Extra>,
  logger: Logger = createLogger(definition.name, config.log),
): Promise<INestApplication> {
  const registry = createMetricsRegistry(definition.name);
  const core = ServiceCoreModule.forRoot({
    service: definition.name,
    nats: config.nats,
    logger,
    registry,
    readiness: new Readiness(),
  });
  const root: DynamicModule = { module: class AppModule {}, imports: [core, ...definition.modules(config)] };
  const app = await NestFactory.create<NestExpressApplication>(root, {
    logger: new NestLogger(logger),
    bodyParser: false,
    abortOnError: false,
  });
  // A world uploaded over a slow link outlasts Node's 5-minute cap on a whole request: a connection is cut
  // when it stays quiet instead (headers keep their own 60 s limit).
  const server = app.getHttpServer() as Server;
  server.requestTimeout = 0;
  server.timeout = config.http.idleTimeoutMs;
  app.use(httpObservability(httpDurationHistogram(registry), logger));
  for (const handler of definition.edge?.(config) ?? []) app.use(handler);
  app.useBodyParser('json', { limit: definition.jsonLimit ?? '1mb' });
  app.disable('x-powered-by');
  return app;
}

/** A service's `main`: validate config or exit 1 with one line; serve; on SIGTERM/SIGINT drain and exit 0. */
export async function runService<Extra extends Record<string, ConfigSection>>(
  definition: ServiceDefinition<Extra>,
): Promise<void> {
  if (definition.streamsBulkBytes) countBuffersByWhatTheyHold();
  let config: ServiceConfig<Extra>;
  try {
    config = loadServiceConfig(definition);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${definition.name}: ${error.message}\n`);
    process.exit(1);
  }
  const telemetry = startTelemetry(definition.name, config.telemetry);
  const logger = createLogger(definition.name, config.log);
  const app = await createServiceApp(definition, config, logger);
  await app.listen(config.http.port, config.http.host);
  logger.info({ url: await app.getUrl() }, `${definition.name} listening`);
  handleShutdown(app, config.http, logger, telemetry);
}

function handleShutdown(
  app: INestApplication,
  http: HttpConfig,
  logger: Logger,
  telemetry: { shutdown(): Promise<void> },
): void {
  const shutdown = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'shutting down');
    app.get(Readiness).startDraining();
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs: http.shutdownTimeoutMs }, 'shutdown timed out');
      process.exit(1);
    }, http.shutdownTimeoutMs);
    deadline.unref();
    app
      .close()
      .then(() => telemetry.shutdown())
      .then(() => {
        logger.info('stopped');
        logger.flush();
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
