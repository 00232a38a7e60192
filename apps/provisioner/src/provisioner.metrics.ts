import { Injectable } from '@nestjs/common';
import { kubeCallsCounter } from '@blockplane/kube';
import { Counter, Registry } from '@blockplane/observability';

/** The provisioner's own series, next to the default ones on the app's registry. */
@Injectable()
export class ProvisionerMetrics {
  readonly reconcileRuns: Counter;
  readonly reconcileErrors: Counter;
  readonly kubeCalls: Counter<'verb' | 'code'>;

  constructor(registry: Registry) {
    this.reconcileRuns = new Counter({
      name: 'panel_provisioner_reconcile_runs_total',
      help: 'Reconciliation passes started',
      registers: [registry],
    });
    this.reconcileErrors = new Counter({
      name: 'panel_provisioner_reconcile_errors_total',
      help: 'Reconciliation passes or server repairs that failed',
      registers: [registry],
    });
    this.kubeCalls = kubeCallsCounter(registry);
  }
}
