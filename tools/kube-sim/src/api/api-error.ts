import type { ResourceDef } from './resource-registry.js';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** One field problem; `message` is upstream's full text, e.g. `Invalid value: "x": …`. */
export interface FieldError {
  reason: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueNotSupported' | 'FieldValueForbidden';
  field: string;
  message: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** A `meta.k8s.io/v1 Status` failure as upstream's apiserver builds it. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }

  static notFound(def: ResourceDef, name: string): ApiError {
    return new ApiError(404, 'NotFound', `${qualifiedResource(def)} "${name}" not found`, resourceDetails(def, name));
  }

  static alreadyExists(def: ResourceDef, name: string): ApiError {
    return new ApiError(
      409,
      'AlreadyExists',
      `${qualifiedResource(def)} "${name}" already exists`,
      resourceDetails(def, name),
    );
  }

  static conflict(def: ResourceDef, name: string): ApiError {
    return new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(def)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      resourceDetails(def, name),
    );
  }

  /** 422 with one cause per field error, message formatted like upstream's `NewInvalid`. */
  static invalid(def: ResourceDef, name: string, causes: FieldError[]): ApiError {
    const group = def.group ? `.${def.group}` : '';
    const list = causes.map((c) => `${c.field}: ${c.message}`);
    const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
    return new ApiError(422, 'Invalid', `${def.kind}${group} "${name}" is invalid: ${summary}`, {
      name,
      ...(def.group ? { group: def.group } : {}),
      kind: def.kind,
      causes: causes.map((c) => ({ reason: c.reason, message: c.message, field: c.field })),
    });
  }

  static badRequest(message: string): ApiError {
    return new ApiError(400, 'BadRequest', message);
  }

  static forbidden(def: ResourceDef, name: string, message: string): ApiError {
    return new ApiError(
      403,
      'Forbidden',
      `${qualifiedResource(def)} "${name}" is forbidden: ${message}`,
      resourceDetails(def, name),
    );
  }

  static methodNotAllowed(): ApiError {
    return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  }

  static expired(message: string): ApiError {
    return new ApiError(410, 'Expired', message);
  }
}

export function qualifiedResource(def: ResourceDef): string {
  return def.group ? `${def.plural}.${def.group}` : def.plural;
}

function resourceDetails(def: ResourceDef, name: string): StatusDetails {
  return { name, ...(def.group ? { group: def.group } : {}), kind: def.plural };
}
