import type { Readable } from 'node:stream';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  HttpMethod,
  type KubeConfig,
  RequestContext,
  type V1Pod,
} from '@kubernetes/client-node';
import { request } from 'undici';
import { z } from 'zod';
import { kubeApiConfiguration, loadKubeConfig, registerKubeReadiness, TracedKubeHttp } from '@blockplane/kube';
import { Readiness } from '@blockplane/observability';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../console.config.js';
import { ConsoleMetrics } from '../console.metrics.js';

/** What a pods/log request may ask for (a subset of PodLogOptions). */
export interface PodLogQuery {
  container: string;
  follow: boolean;
  previous?: boolean;
  sinceTime?: string;
  tailLines?: number;
}

/** What the console reads of a `metrics.k8s.io` PodMetricsList. */
const podMetricsListSchema = z.object({
  items: z.array(
    z.object({
      metadata: z.object({ name: z.string() }),
      containers: z.array(z.object({ usage: z.object({ cpu: z.string(), memory: z.string() }) })),
    }),
  ),
});
export type PodMetrics = z.infer<typeof podMetricsListSchema>['items'][number];

/**
 * The console's reads of the Kubernetes API: pods, Secrets (RCON passwords), pod logs and pod metrics. Its calls
 * and its log follows share one connection pool; calls are traced and counted.
 */
@Injectable()
export class KubeApi implements OnModuleInit {
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly namespace: string;
  private readonly custom: CustomObjectsApi;
  private readonly http: TracedKubeHttp;

  constructor(
    @Inject(CONSOLE_CONFIG) config: ConsoleConfig,
    metrics: ConsoleMetrics,
    private readonly readiness: Readiness,
  ) {
    this.kubeConfig = loadKubeConfig(config.kubeconfig);
    this.http = new TracedKubeHttp(metrics.kubeCalls);
    const configuration = kubeApiConfiguration(this.kubeConfig, 'blockplane-console', this.http);
    this.core = new CoreV1Api(configuration);
    this.custom = new CustomObjectsApi(configuration);
    this.namespace = config.namespace;
  }

  onModuleInit(): void {
    registerKubeReadiness(this.readiness, this.kubeConfig);
  }

  /** A fresh read of a pod, past the pods cache (which can lag behind the cluster). */
  readPod(name: string): Promise<V1Pod> {
    return this.core.readNamespacedPod({ name, namespace: this.namespace });
  }

  /** The namespace's pod metrics; fails where the cluster has no metrics API, or answers something else. */
  async podMetrics(): Promise<PodMetrics[]> {
    const group = { group: 'metrics.k8s.io', version: 'v1beta1', plural: 'pods' };
    const answer: unknown = await this.custom.listNamespacedCustomObject({ ...group, namespace: this.namespace });
    return podMetricsListSchema.parse(answer).items;
  }

  /**
   * Opens a pod's log and answers its body. client-node's own `Log` pipes the body without an error
   * listener, so a stream cut by a reset crashes the process; here the caller reads it and sees the error.
   */
  async podLog(pod: string, query: PodLogQuery, signal: AbortSignal): Promise<Readable> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig names no cluster');
    const url = new URL(`${cluster.server}/api/v1/namespaces/${this.namespace}/pods/${pod}/log`);
    url.searchParams.set('container', query.container);
    url.searchParams.set('timestamps', 'true');
    url.searchParams.set('follow', String(query.follow));
    if (query.previous) url.searchParams.set('previous', 'true');
    if (query.sinceTime) url.searchParams.set('sinceTime', query.sinceTime);
    if (query.tailLines !== undefined) url.searchParams.set('tailLines', String(query.tailLines));
    const context = new RequestContext(url.toString(), HttpMethod.GET);
    await this.kubeConfig.applySecurityAuthentication(context);
    // undici's request, not fetch: a follow is read for hours, and Node streams cost less per chunk than web streams.
    const dispatcher = this.http.pool(context);
    const response = await request(url, {
      headers: context.getHeaders(),
      ...(dispatcher ? { dispatcher } : {}),
      signal,
    });
    if (response.statusCode !== 200) {
      const status = (await response.body.json().catch(() => undefined)) as { message?: string } | undefined;
      throw new ApiException(response.statusCode, status?.message ?? 'log request failed', status, {});
    }
    // A cut or an abort while nobody reads must not be an unhandled 'error': the reader sees the end.
    response.body.on('error', () => undefined);
    return response.body;
  }
}
