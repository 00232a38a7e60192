import { Injectable } from '@nestjs/common';
import { kubeCallsCounter } from '@blockplane/kube';
import { Counter, Gauge, Histogram, Registry } from '@blockplane/observability';

/** The console's own series, next to the default ones on the app's registry. */
@Injectable()
export class ConsoleMetrics {
  /** Follow requests open against the Kubernetes API: one per watched server, however many viewers. */
  readonly upstreamStreams: Gauge;
  readonly watchedServers: Gauge;
  readonly lines: Counter<'outcome'>;
  readonly commands: Counter<'outcome'>;
  readonly commandSeconds: Histogram;
  readonly kubeCalls: Counter<'verb' | 'code'>;

  constructor(registry: Registry) {
    this.upstreamStreams = new Gauge({
      name: 'panel_console_upstream_streams',
      help: 'Log follow requests open against the Kubernetes API',
      registers: [registry],
    });
    this.watchedServers = new Gauge({
      name: 'panel_console_watched_servers',
      help: 'Servers with at least one lease on their console stream',
      registers: [registry],
    });
    this.lines = new Counter({
      name: 'panel_console_lines_total',
      help: 'Console lines read from servers, by outcome (published, dropped by the flood throttle)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.commands = new Counter({
      name: 'panel_console_commands_total',
      help: 'Console commands, by outcome (ok, refused before running, failed at the server)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.commandSeconds = new Histogram({
      name: 'panel_console_command_seconds',
      help: 'Time from a command reaching the console service to its reply',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry],
    });
    this.kubeCalls = kubeCallsCounter(registry);
  }
}
