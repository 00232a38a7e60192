// One pod's life on the node: sandbox and IP, image pulls, container starts, probes,
// restarts with back-off, and graceful termination, written back as pod status + Events.
import { timestamp } from '../api/object-utils.js';
import type { Store } from '../api/store.js';
import type { ContainerRuntime, Container, ContainerExit } from './container-runtime.js';
import { imageID } from './container-runtime.js';
import { EnvResolutionError, resolveEnv } from './container-env.js';
import type { EventRecorder } from './event-recorder.js';
import { NODE_IP, NODE_NAME } from './node.js';
import { qosClass } from './pod-resources.js';
import { containerStatus, podConditions, podPhase, type ContainerRecord } from './pod-status.js';
import { podName, type Pod, type Probe } from './pod-types.js';
import { runProbe } from './probes.js';
import { PODS } from './refs.js';
import { dataDirFor, scratchDirFor } from './volumes.js';

export interface KubeletTiming {
  startDelayMs: [number, number];
  backOffBaseMs: number; // upstream 10 s
  backOffMaxMs: number; // upstream 5 min
}

export interface PodWorkerDeps {
  store: Store;
  events: EventRecorder;
  runtime: ContainerRuntime;
  stateDir: string;
  timing: KubeletTiming;
  podIP: string;
  isStuck: () => boolean;
  onGone: () => void; // the pod left the node (IP can be reused)
}

const source = { component: 'kubelet', host: NODE_NAME };

function jitter([min, max]: [number, number]): number {
  return min + Math.random() * Math.max(0, max - min);
}

export class PodWorker {
  readonly records: ContainerRecord[];
  readonly name: string;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pullFailures = new Map<string, number>();
  private readonly crashes = new Map<string, number>();
  private readonly dataDirs = new Map<ContainerRecord, string>();
  private terminating = false;
  private gone = false;
  private readonly startTime = timestamp();

  constructor(
    private pod: Pod,
    private readonly deps: PodWorkerDeps,
  ) {
    this.name = podName(pod);
    this.records = pod.spec.containers.map((spec) => ({
      spec,
      state: { waiting: { reason: 'ContainerCreating' } },
      lastState: {},
      restartCount: 0,
      started: false,
      ready: false,
      willRestart: true,
    }));
  }

  get podIP(): string {
    return this.deps.podIP;
  }

  get uid(): string | undefined {
    return this.pod.metadata.uid;
  }

  get namespace(): string {
    return this.pod.metadata.namespace ?? 'default';
  }

  /** Where a container's port answers on the pod IP (the runtime may have moved it). */
  hostPort(containerName: string, port: number): number {
    return this.records.find((r) => r.spec.name === containerName)?.instance?.hostPort(port) ?? port;
  }

  /** Created on first use, then remembered: a recursive mkdir per call cost milliseconds at 10,000 pods. */
  dataDir(record: ContainerRecord): string {
    let dir = this.dataDirs.get(record);
    if (dir === undefined) this.dataDirs.set(record, (dir = dataDirFor(this.deps.stateDir, this.pod, record.spec)));
    return dir;
  }

  /** The container's /tmp: shared by its execs, like the writable layer of a real container. */
  scratchDir(record: ContainerRecord): string {
    return scratchDirFor(this.deps.stateDir, this.pod, record.spec);
  }

  start(): void {
    this.publish();
    this.later(jitter(this.deps.timing.startDelayMs), () => {
      for (const record of this.records) void this.launch(record);
    });
  }

  /** The pod object changed in the Store. */
  update(pod: Pod): void {
    this.pod = pod;
    if (pod.metadata.deletionTimestamp && !this.terminating) void this.terminate();
  }

  crash(oomKill: boolean): void {
    for (const record of this.records) if ('running' in record.state) record.instance?.crash(oomKill);
  }

  /** The pod vanished from the Store (force delete): kill everything at once. */
  kill(): void {
    this.terminating = true;
    this.clearTimers();
    for (const record of this.records) if ('running' in record.state) record.instance?.signal('SIGKILL');
    this.leave();
  }

  /** Finishes a deletion that was held back by setStuckTerminating. */
  release(): void {
    if (this.terminating && this.records.every((r) => !('running' in r.state))) this.finishDelete();
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.gone) fn();
    }, ms);
    this.timers.add(timer);
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string, record?: ContainerRecord): void {
    this.deps.events.record(
      source,
      this.pod,
      type,
      reason,
      message,
      record ? `spec.containers{${record.spec.name}}` : undefined,
    );
  }

  private publish(): void {
    if (this.gone) return;
    const phase = podPhase(this.records);
    const ip = this.deps.podIP;
    this.deps.store.mutate(
      PODS,
      this.namespace,
      this.name,
      (obj) => {
        const pod = obj as Pod;
        const status = pod.status ?? {};
        pod.status = {
          ...status,
          phase,
          conditions: podConditions(status.conditions, this.records, phase, !this.terminating),
          hostIP: NODE_IP,
          hostIPs: [{ ip: NODE_IP }],
          podIP: ip,
          podIPs: [{ ip }],
          startTime: this.startTime,
          containerStatuses: this.records.map(containerStatus),
          qosClass: qosClass(pod),
        };
      },
      { subresource: 'status' },
    );
  }

  private async launch(record: ContainerRecord): Promise<void> {
    if (this.terminating) return;
    const image = record.spec.image;
    const policy = record.spec.imagePullPolicy ?? 'IfNotPresent';
    if (policy === 'Never' && !this.deps.runtime.isPresent(image)) {
      return this.waitAndRetry(
        record,
        'ErrImageNeverPull',
        `Container image "${image}" is not present with pull policy of Never`,
      );
    }
    if (policy === 'Always' || !this.deps.runtime.isPresent(image)) {
      this.event('Normal', 'Pulling', `Pulling image "${image}"`, record);
      const began = Date.now();
      try {
        this.deps.runtime.pull(image);
      } catch (error) {
        return this.pullFailed(record, (error as Error).message);
      }
      const took = `${Date.now() - began}ms`;
      this.event(
        'Normal',
        'Pulled',
        `Successfully pulled image "${image}" in ${took} (${took} including waiting). Image size: 0 bytes.`,
        record,
      );
    } else {
      this.event('Normal', 'Pulled', `Container image "${image}" already present on machine`, record);
    }
    this.pullFailures.delete(record.spec.name);
    record.imageID = imageID(image);
    let env: Record<string, string>;
    try {
      env = resolveEnv(this.deps.store, this.pod, record.spec, this.podIP);
    } catch (error) {
      if (!(error instanceof EnvResolutionError)) throw error;
      return this.waitAndRetry(record, 'CreateContainerConfigError', error.message);
    }
    const bootDelayMs = jitter(this.deps.timing.startDelayMs);
    const instance = await this.deps.runtime.start({
      image,
      env: { HOSTNAME: this.name, ...env },
      dataDir: this.dataDir(record),
      host: this.podIP,
      bootDelayMs,
    });
    if (this.terminating) {
      instance.signal('SIGKILL');
      return;
    }
    if (record.instance) {
      record.previousLogs = record.instance.logs;
      record.restartCount += 1;
      if ('terminated' in record.state) record.lastState = record.state;
    }
    record.instance = instance;
    this.event('Normal', 'Created', `Created container: ${record.spec.name}`, record);
    this.event('Normal', 'Started', `Started container ${record.spec.name}`, record);
    record.state = { running: { startedAt: timestamp(instance.startedAt) } };
    record.started = true;
    record.ready = !record.spec.readinessProbe;
    this.publish();
    void instance.exited.then((exit) => this.exited(record, instance, exit));
    this.startProbes(record, instance);
  }

  private pullFailed(record: ContainerRecord, message: string): void {
    const image = record.spec.image;
    this.event('Warning', 'Failed', `Failed to pull image "${image}": ${message}`, record);
    this.event('Warning', 'Failed', 'Error: ErrImagePull', record);
    record.state = { waiting: { reason: 'ErrImagePull', message } };
    this.publish();
    const failures = (this.pullFailures.get(record.spec.name) ?? 0) + 1;
    this.pullFailures.set(record.spec.name, failures);
    const delay = this.backOff(failures);
    // The kubelet reports ImagePullBackOff while it waits before the next attempt.
    this.later(Math.min(delay / 2, 1000), () => {
      if (this.terminating) return;
      this.event('Normal', 'BackOff', `Back-off pulling image "${image}"`, record);
      this.event('Warning', 'Failed', 'Error: ImagePullBackOff', record);
      record.state = {
        waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}": ErrImagePull: ${message}` },
      };
      this.publish();
    });
    this.later(delay, () => void this.launch(record));
  }

  private waitAndRetry(record: ContainerRecord, reason: string, message: string): void {
    this.event('Warning', 'Failed', `Error: ${message}`, record);
    record.state = { waiting: { reason, message } };
    this.publish();
    this.later(this.deps.timing.backOffBaseMs, () => void this.launch(record));
  }

  /** Upstream doubles from the base up to the cap, from the second failure on. */
  private backOff(failures: number): number {
    const { backOffBaseMs, backOffMaxMs } = this.deps.timing;
    return Math.min(backOffBaseMs * 2 ** Math.max(0, failures - 1), backOffMaxMs);
  }

  private exited(record: ContainerRecord, instance: Container, exit: ContainerExit): void {
    if (record.instance !== instance || this.gone) return;
    record.ready = false;
    record.state = {
      terminated: {
        exitCode: exit.exitCode,
        reason: exit.reason,
        startedAt: timestamp(instance.startedAt),
        finishedAt: timestamp(exit.finishedAt),
        containerID: instance.id,
      },
    };
    if (this.terminating) return; // terminate() publishes the final status
    const policy = this.pod.spec.restartPolicy ?? 'Always';
    record.willRestart = policy === 'Always' || (policy === 'OnFailure' && exit.exitCode !== 0);
    if (!record.willRestart) {
      this.publish();
      return;
    }
    const ranMs = exit.finishedAt.getTime() - instance.startedAt.getTime();
    const crashes = ranMs > 2 * this.deps.timing.backOffMaxMs ? 1 : (this.crashes.get(record.spec.name) ?? 0) + 1;
    this.crashes.set(record.spec.name, crashes);
    if (crashes === 1) {
      this.publish();
      void this.launch(record);
      return;
    }
    const delay = this.backOff(crashes - 1);
    const seconds = `${Math.round(delay / 1000)}s`;
    const podRef = `${this.name}_${this.namespace}(${this.pod.metadata.uid})`;
    record.lastState = record.state;
    record.state = {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off ${seconds} restarting failed container=${record.spec.name} pod=${podRef}`,
      },
    };
    this.event(
      'Warning',
      'BackOff',
      `Back-off restarting failed container ${record.spec.name} in pod ${podRef}`,
      record,
    );
    this.publish();
    this.later(delay, () => void this.launch(record));
  }

  private startProbes(record: ContainerRecord, instance: Container): void {
    const target = { podIP: this.podIP, container: record.spec, dataDir: this.dataDir(record), instance };
    const loop = (probe: Probe, kind: 'Readiness' | 'Liveness') => {
      let successes = 0;
      let failures = 0;
      const tick = async () => {
        if (record.instance !== instance || !('running' in record.state) || this.terminating) return;
        const result = await runProbe(probe, target);
        if (record.instance !== instance || !('running' in record.state) || this.terminating) return;
        if (result.ok) {
          successes += 1;
          failures = 0;
          if (kind === 'Readiness' && !record.ready && successes >= (probe.successThreshold ?? 1)) {
            record.ready = true;
            this.publish();
          }
        } else {
          failures += 1;
          successes = 0;
          this.event('Warning', 'Unhealthy', `${kind} probe failed: ${result.message}`, record);
          if (failures >= (probe.failureThreshold ?? 3)) {
            if (kind === 'Readiness' && record.ready) {
              record.ready = false;
              this.publish();
            }
            if (kind === 'Liveness') {
              this.event(
                'Normal',
                'Killing',
                `Container ${record.spec.name} failed liveness probe, will be restarted`,
                record,
              );
              instance.signal('SIGTERM');
              this.later(this.graceMs(), () => instance.signal('SIGKILL'));
              return;
            }
          }
        }
        this.later((probe.periodSeconds ?? 10) * 1000, () => void tick());
      };
      this.later((probe.initialDelaySeconds ?? 0) * 1000, () => void tick());
    };
    if (record.spec.readinessProbe) loop(record.spec.readinessProbe, 'Readiness');
    if (record.spec.livenessProbe) loop(record.spec.livenessProbe, 'Liveness');
  }

  private graceMs(): number {
    const grace = this.pod.metadata.deletionGracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds ?? 30;
    return grace * 1000;
  }

  private async terminate(): Promise<void> {
    this.terminating = true;
    this.clearTimers();
    const running = this.records.flatMap((record) =>
      'running' in record.state && record.instance ? [{ record, instance: record.instance }] : [],
    );
    for (const { record, instance } of running) {
      this.event('Normal', 'Killing', `Stopping container ${record.spec.name}`, record);
      instance.signal('SIGTERM');
    }
    const exits = Promise.all(running.map(({ instance }) => instance.exited));
    let graceTimer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>(
      (resolve) => (graceTimer = setTimeout(() => resolve('timeout'), this.graceMs())),
    );
    if ((await Promise.race([exits, graceOver])) === 'timeout')
      for (const { instance } of running) instance.signal('SIGKILL');
    await exits;
    clearTimeout(graceTimer);
    for (const record of this.records) {
      record.ready = false;
      record.willRestart = false;
    }
    // Like the kubelet's status manager: report the stopped containers, then finish the deletion.
    this.publish();
    if (!this.deps.isStuck()) this.finishDelete();
  }

  private finishDelete(): void {
    if (this.gone) return;
    this.deps.store.delete(PODS, this.namespace, this.name, { gracePeriodSeconds: 0 });
    this.leave();
  }

  private leave(): void {
    if (this.gone) return;
    this.gone = true;
    this.clearTimers();
    this.deps.onGone();
  }
}
