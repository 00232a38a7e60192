import { ApiError, type FieldError } from './api-error.js';
import { QUANTITY_ERROR, parseQuantity } from './quantity.js';
import type { ResourceDef } from './resource-registry.js';
import type { KubeObject } from './types.js';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_1123_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const LABEL_1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/** StatefulSet pods get a `controller-revision-hash` label of name + '-' + 10 chars; a label value is at most 63. */
const STATEFULSET_NAME_MAX = 52;

type NameRule = { pattern: RegExp; max: number; message: string };
const SUBDOMAIN_RULE: NameRule = { pattern: SUBDOMAIN, max: 253, message: SUBDOMAIN_MSG };
const NAME_RULES: Record<string, NameRule> = {
  Namespace: { pattern: LABEL_1123, max: 63, message: LABEL_1123_MSG },
  Service: { pattern: LABEL_1035, max: 63, message: LABEL_1035_MSG },
  StatefulSet: { pattern: SUBDOMAIN, max: STATEFULSET_NAME_MAX, message: SUBDOMAIN_MSG },
};

export const invalidValue = (field: string, value: unknown, detail: string): FieldError => ({
  reason: 'FieldValueInvalid',
  field,
  message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
});
const required = (field: string, detail = ''): FieldError => ({
  reason: 'FieldValueRequired',
  field,
  message: detail ? `Required value: ${detail}` : 'Required value',
});

export function nameErrors(def: ResourceDef, name: string, field = 'metadata.name'): FieldError[] {
  const rule = NAME_RULES[def.kind] ?? SUBDOMAIN_RULE;
  const errors: FieldError[] = [];
  if (name.length > rule.max) errors.push(invalidValue(field, name, `must be no more than ${rule.max} characters`));
  if (!rule.pattern.test(name)) errors.push(invalidValue(field, name, rule.message));
  return errors;
}

/** Rejects what upstream rejects on create and update: 400 for undecodable quantities, 422 for invalid fields. */
export function validateObject(def: ResourceDef, obj: KubeObject): void {
  const name = obj.metadata.name ?? '';
  const errors: FieldError[] = name
    ? nameErrors(def, name)
    : [required('metadata.name', 'name or generateName is required')];
  for (const [field, value] of quantityFields(def, obj)) {
    const n = parseQuantity(value);
    if (n === undefined)
      throw ApiError.badRequest(
        `${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: ${QUANTITY_ERROR}`,
      );
    if (n < 0) errors.push(invalidValue(field, value, 'must be greater than or equal to 0'));
  }
  errors.push(...kindErrors(def, obj));
  if (errors.length) throw ApiError.invalid(def, name, errors);
}

type Spec = Record<string, unknown>;
const asRecord = (v: unknown): Spec => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Spec) : {});
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function* containerQuantities(podSpec: Spec, prefix: string): Generator<[string, unknown]> {
  for (const key of ['initContainers', 'containers']) {
    for (const [i, c] of asArray(podSpec[key]).entries()) {
      const resources = asRecord(asRecord(c).resources);
      for (const kind of ['requests', 'limits']) {
        for (const [res, q] of Object.entries(asRecord(resources[kind])))
          yield [`${prefix}.${key}[${i}].resources.${kind}[${res}]`, q];
      }
    }
  }
}

function* pvcQuantities(pvcSpec: Spec, prefix: string): Generator<[string, unknown]> {
  const resources = asRecord(pvcSpec.resources);
  for (const kind of ['requests', 'limits']) {
    for (const [res, q] of Object.entries(asRecord(resources[kind]))) yield [`${prefix}.resources.${kind}[${res}]`, q];
  }
}

function* quantityFields(def: ResourceDef, obj: KubeObject): Generator<[string, unknown]> {
  const spec = asRecord(obj.spec);
  if (def.kind === 'Pod') yield* containerQuantities(spec, 'spec');
  if (def.kind === 'PersistentVolumeClaim') yield* pvcQuantities(spec, 'spec');
  if (def.kind === 'StatefulSet') {
    yield* containerQuantities(asRecord(asRecord(spec.template).spec), 'spec.template.spec');
    for (const [i, t] of asArray(spec.volumeClaimTemplates).entries())
      yield* pvcQuantities(asRecord(asRecord(t).spec), `spec.volumeClaimTemplates[${i}].spec`);
  }
}

function kindErrors(def: ResourceDef, obj: KubeObject): FieldError[] {
  const spec = asRecord(obj.spec);
  if (def.kind === 'Pod') return podSpecErrors(spec, 'spec');
  if (def.kind === 'StatefulSet') return statefulSetErrors(spec);
  return [];
}

function podSpecErrors(spec: Spec, prefix: string): FieldError[] {
  const containers = asArray(spec.containers);
  if (!containers.length) return [required(`${prefix}.containers`)];
  const errors: FieldError[] = [];
  for (const [i, raw] of containers.entries()) {
    const c = asRecord(raw);
    if (!c.name) errors.push(required(`${prefix}.containers[${i}].name`));
    else if (!LABEL_1123.test(String(c.name)))
      errors.push(invalidValue(`${prefix}.containers[${i}].name`, c.name, LABEL_1123_MSG));
    if (!c.image) errors.push(required(`${prefix}.containers[${i}].image`));
  }
  return errors;
}

function statefulSetErrors(spec: Spec): FieldError[] {
  const template = asRecord(spec.template);
  const labels = asRecord(asRecord(template.metadata).labels) as Record<string, string>;
  const selector = asRecord(spec.selector);
  const errors: FieldError[] = [];
  const matchLabels = asRecord(selector.matchLabels);
  if (!Object.keys(matchLabels).length && !asArray(selector.matchExpressions).length) {
    errors.push(required('spec.selector'));
  } else if (Object.entries(matchLabels).some(([k, v]) => labels[k] !== v)) {
    errors.push(invalidValue('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  }
  if (typeof spec.replicas === 'number' && spec.replicas < 0)
    errors.push(invalidValue('spec.replicas', spec.replicas, 'must be greater than or equal to 0'));
  errors.push(...podSpecErrors(asRecord(template.spec), 'spec.template.spec'));
  return errors;
}
