import { z } from 'zod';
import { envTypes } from './env-types.js';

/** Where a service listens and how it behaves as a process. */
export const httpSection = (defaultPort: number) =>
  z
    .object({
      HOST: envTypes.text('127.0.0.1'),
      PORT: envTypes.port(defaultPort),
      SHUTDOWN_TIMEOUT_MS: envTypes.integer(10_000, 100),
      HTTP_IDLE_TIMEOUT_MS: envTypes.integer(120_000, 1_000),
    })
    .transform((e) => ({
      host: e.HOST,
      port: e.PORT,
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
      idleTimeoutMs: e.HTTP_IDLE_TIMEOUT_MS,
    }));
export type HttpConfig = z.output<ReturnType<typeof httpSection>>;

export const logSection = z
  .object({ LOG_LEVEL: envTypes.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info') })
  .transform((e) => ({ level: e.LOG_LEVEL }));
export type LogConfig = z.output<typeof logSection>;

export const telemetrySection = z
  .object({
    OTEL_TRACES_EXPORTER: envTypes.oneOf(['none', 'otlp', 'console'], 'none'),
    OTEL_EXPORTER_OTLP_ENDPOINT: envTypes
      .url(['http:', 'https:'], 'http://127.0.0.1:4318')
      .default('http://127.0.0.1:4318'),
  })
  .transform((e) => ({ exporter: e.OTEL_TRACES_EXPORTER, otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT }));
export type TelemetryConfig = z.output<typeof telemetrySection>;

export const natsSection = z
  .object({
    NATS_URL: envTypes.url(['nats:', 'tls:'], 'nats://127.0.0.1:4222').default('nats://127.0.0.1:4222'),
    // Prefixes every subject and stream, so several stacks (dev, tests) can share one NATS.
    NATS_NAMESPACE: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'expected lower-case letters, digits, - or _ (at most 32)')
      .default('blockplane'),
  })
  .transform((e) => ({ url: e.NATS_URL, namespace: e.NATS_NAMESPACE }));
export type NatsConfig = z.output<typeof natsSection>;

export const databaseSection = z
  .object({
    DATABASE_URL: envTypes.url(['postgres:', 'postgresql:'], 'postgres://postgres@127.0.0.1:5432/blockplane'),
    DATABASE_POOL_MAX: envTypes.integer(10, 1),
  })
  .transform((e) => ({ url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX }));
export type DatabaseConfig = z.output<typeof databaseSection>;

/** The quota of an account no admin has set; auth grants it and servers assumes it until auth says otherwise. */
export const quotaDefaultsSection = z
  .object({
    DEFAULT_QUOTA_SERVERS: envTypes.integer(3),
    DEFAULT_QUOTA_CPU_CORES: envTypes.integer(4),
    DEFAULT_QUOTA_MEMORY_MB: envTypes.integer(8192),
    DEFAULT_QUOTA_DISK_GB: envTypes.integer(40),
  })
  .transform((e) => ({
    maxServers: e.DEFAULT_QUOTA_SERVERS,
    maxCpuCores: e.DEFAULT_QUOTA_CPU_CORES,
    maxMemoryMb: e.DEFAULT_QUOTA_MEMORY_MB,
    maxDiskGb: e.DEFAULT_QUOTA_DISK_GB,
  }));
export type QuotaDefaultsConfig = z.output<typeof quotaDefaultsSection>;
