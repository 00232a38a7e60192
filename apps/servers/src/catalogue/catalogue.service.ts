import { Inject, Injectable } from '@nestjs/common';
import {
  type CreateServerRequest,
  DomainError,
  type Plan,
  type Resources,
  type ServerTypeInfo,
} from '@blockplane/contracts';
import type { CatalogueConfig } from './catalogue.section.js';

export const CATALOGUE_CONFIG = Symbol('CatalogueConfig');

/** What users may run: plans and server types with their versions, from config. */
@Injectable()
export class CatalogueService {
  constructor(@Inject(CATALOGUE_CONFIG) private readonly config: CatalogueConfig) {}

  plans(): Plan[] {
    return this.config.plans;
  }

  types(): ServerTypeInfo[] {
    return this.config.types;
  }

  /** The resources of a requested server, or VALIDATION_FAILED naming the field the catalogue does not offer. */
  resolve(request: Pick<CreateServerRequest, 'type' | 'version' | 'plan'>): Resources {
    const type = this.config.types.find((candidate) => candidate.id === request.type);
    if (!type) throw invalid('type', `unknown server type "${request.type}"`, this.config.types);
    if (!type.versions.includes(request.version)) {
      throw invalid('version', `${type.name} does not offer version "${request.version}"`, type.versions);
    }
    const plan = this.config.plans.find((candidate) => candidate.id === request.plan);
    if (!plan) throw invalid('plan', `unknown plan "${request.plan}"`, this.config.plans);
    return { cpuCores: plan.cpuCores, memoryMb: plan.memoryMb, diskGb: plan.diskGb };
  }
}

/** Details in the gateway's shape for validation errors: `[{ path, message }]`. */
function invalid(field: string, message: string, accepted: (string | { id: string })[]): DomainError {
  const values = accepted.map((value) => (typeof value === 'string' ? value : value.id));
  return new DomainError('VALIDATION_FAILED', message, [
    { path: [field], message: `${message}; accepted: ${values.join(', ')}` },
  ]);
}
