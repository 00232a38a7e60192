import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ApiException, AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { kubeApiConfiguration, loadKubeConfig, registerKubeReadiness, TracedKubeHttp } from '@blockplane/kube';
import { Readiness } from '@blockplane/observability';
import { PROVISIONER_CONFIG, type ProvisionerConfig } from '../provisioner.config.js';
import { ProvisionerMetrics } from '../provisioner.metrics.js';
import { backoffMs, isRetryable } from './retry.util.js';
import { TokenBucket } from './token-bucket.js';

const MAX_ATTEMPTS = 6;

/**
 * The only way into the Kubernetes API: every call takes a token from the client-side rate limit and
 * is retried with back-off on 409, 429 and 5xx; below, each HTTP request is a span and is counted by
 * verb and code (TracedKubeHttp).
 */
@Injectable()
export class KubeClient implements OnModuleInit {
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  private readonly bucket: TokenBucket;

  constructor(
    @Inject(PROVISIONER_CONFIG) config: ProvisionerConfig,
    metrics: ProvisionerMetrics,
    private readonly readiness: Readiness,
  ) {
    this.kubeConfig = loadKubeConfig(config.kubeconfig);
    const http = new TracedKubeHttp(metrics.kubeCalls);
    const configuration = kubeApiConfiguration(this.kubeConfig, 'blockplane-provisioner', http);
    this.core = new CoreV1Api(configuration);
    this.apps = new AppsV1Api(configuration);
    this.bucket = new TokenBucket(config.qps, config.burst);
  }

  onModuleInit(): void {
    registerKubeReadiness(this.readiness, this.kubeConfig);
  }

  call<T>(request: () => Promise<T>): Promise<T> {
    return this.attempt(request, isRetryable);
  }

  /** A read that answers undefined for 404. */
  async find<T>(request: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.call(request);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** A create that answers false when the object exists already: a create's 409 is an answer, not a conflict. */
  create(request: () => Promise<unknown>): Promise<boolean> {
    return this.unlessConflict(request);
  }

  /** A delete that is done when the object is already gone. */
  async remove(request: () => Promise<unknown>): Promise<void> {
    try {
      await this.call(request);
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }

  /** A delete with preconditions: false when the object changed since it was read (409), true once it is gone. */
  async removeUnchanged(request: () => Promise<unknown>): Promise<boolean> {
    try {
      return await this.unlessConflict(request);
    } catch (error) {
      if (statusOf(error) === 404) return true;
      throw error;
    }
  }

  /** A write whose 409 is an answer (false), never retried. */
  private async unlessConflict(request: () => Promise<unknown>): Promise<boolean> {
    try {
      await this.attempt(request, (status) => status !== 409 && isRetryable(status));
      return true;
    } catch (error) {
      if (statusOf(error) === 409) return false;
      throw error;
    }
  }

  private async attempt<T>(request: () => Promise<T>, retryable: (status?: number) => boolean): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      await this.bucket.take();
      try {
        return await request();
      } catch (error) {
        const status = statusOf(error);
        if (!retryable(status) || attempt + 1 >= MAX_ATTEMPTS) throw error;
        const retryAfter = error instanceof ApiException ? headerOf(error, 'retry-after') : undefined;
        await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt, retryAfter)));
      }
    }
  }
}

export function statusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

function headerOf(error: ApiException<unknown>, name: string): string | undefined {
  const entry = Object.entries(error.headers).find(([key]) => key.toLowerCase() === name);
  return entry?.[1];
}
