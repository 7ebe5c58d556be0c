/**
 * Deployment (`pkg/apis/apps/validation/validation.go`: ValidateDeploymentSpec,
 * ValidateRollingUpdateDeployment, ValidateDeploymentUpdate), Job
 * (`pkg/apis/batch/validation/validation.go`: ValidateJob, ValidateJobSpecUpdate) and Pod
 * spec checks beyond the pod template's own.
 */
import { isDeepStrictEqual } from 'node:util';
import { immutable, invalid, notSupported, required, type FieldError } from './field-errors.ts';
import { maxLenError } from './formats.ts';
import { validateLabels } from './object-meta.ts';
import { restartPolicyOf, validatePodSpec, validatePodTemplate } from './pod-spec.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? v as Obj : {});

function nonNegative(spec: Obj, fields: string[], path: string): FieldError[] {
  return fields.filter((f) => typeof spec[f] === 'number' && (spec[f] as number) < 0)
    .map((f) => invalid(`${path}.${f}`, spec[f], 'must be greater than or equal to 0'));
}

/** True when `labels` satisfies the matchLabels and matchExpressions of `selector`. */
export function selectorMatches(selector: Obj, labels: Obj): boolean {
  for (const [k, v] of Object.entries(obj(selector.matchLabels))) if (labels[k] !== v) return false;
  for (const e of (Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) as { key: string; operator: string; values?: string[] }[]) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key] as string;
    if (e.operator === 'In' && !(has && e.values?.includes(value))) return false;
    if (e.operator === 'NotIn' && has && e.values?.includes(value)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

const emptySelector = (s: Obj): boolean => Object.keys(obj(s.matchLabels)).length === 0 && !(Array.isArray(s.matchExpressions) && s.matchExpressions.length > 0);

// An IntOrString of the rolling update: a number, or "N%".
function intOrPercent(value: unknown, path: string): { errors: FieldError[]; zero: boolean } {
  if (value === undefined) return { errors: [], zero: false };
  if (typeof value === 'number') return { errors: value < 0 ? [invalid(path, value, 'must be greater than or equal to 0')] : [], zero: value === 0 };
  const m = /^(\d+)%$/.exec(String(value));
  if (!m) return { errors: [invalid(path, value, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%', or '93%', regex used for validation is '[0-9]+%')")], zero: false };
  const n = Number(m[1]);
  return { errors: n > 100 ? [invalid(path, value, 'must not be greater than 100%')] : [], zero: n === 0 };
}

/** ValidateDeployment (+ ValidateDeploymentUpdate's immutable selector when `old` is given). */
export function validateDeployment(o: Obj, old?: Obj): FieldError[] {
  const spec = obj(o.spec);
  const out = nonNegative(spec, ['replicas', 'minReadySeconds', 'revisionHistoryLimit'], 'spec');
  const selector = spec.selector === undefined ? undefined : obj(spec.selector);
  const template = obj(spec.template);
  if (!selector) out.push(required('spec.selector'));
  else {
    out.push(...validateLabels(obj(selector.matchLabels), 'spec.selector.matchLabels'));
    if (emptySelector(selector)) out.push(invalid('spec.selector', selector, 'empty selector is invalid for deployment'));
    else if (!selectorMatches(selector, obj(obj(template.metadata).labels))) {
      out.push(invalid('spec.template.metadata.labels', obj(obj(template.metadata).labels), '`selector` does not match template `labels`'));
    }
  }
  out.push(...validatePodTemplate(template, 'spec.template'));
  const policy = restartPolicyOf(template);
  if (policy !== 'Always') out.push(notSupported('spec.template.spec.restartPolicy', policy, ['Always']));
  const strategy = obj(spec.strategy);
  const type = strategy.type ?? 'RollingUpdate';
  if (type === 'Recreate' && strategy.rollingUpdate !== undefined) {
    out.push({ field: 'spec.strategy.rollingUpdate', reason: 'FieldValueForbidden', message: "Forbidden: may not be specified when strategy `type` is 'Recreate'" });
  } else if (type === 'RollingUpdate') {
    const ru = obj(strategy.rollingUpdate);
    const unavailable = intOrPercent(ru.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable');
    const surge = intOrPercent(ru.maxSurge, 'spec.strategy.rollingUpdate.maxSurge');
    out.push(...unavailable.errors, ...surge.errors);
    if (unavailable.zero && surge.zero) out.push(invalid('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
  } else if (type !== 'Recreate') {
    out.push(notSupported('spec.strategy.type', type, ['Recreate', 'RollingUpdate']));
  }
  if (typeof spec.progressDeadlineSeconds === 'number' && spec.progressDeadlineSeconds <= ((spec.minReadySeconds as number | undefined) ?? 0)) {
    out.push(invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  }
  // apps/v1 made the selector immutable.
  if (old && !isDeepStrictEqual(obj(old.spec).selector, spec.selector)) out.push(immutable('spec.selector', spec.selector));
  return out;
}

const generatedKeys = new Set(['controller-uid', 'batch.kubernetes.io/controller-uid', 'job-name', 'batch.kubernetes.io/job-name']);
// The generated selector is controller-uid (+ job-name); anything else cannot match the generated pod labels.
const generatedOnly = (s: Obj): boolean =>
  !(Array.isArray(s.matchExpressions) && s.matchExpressions.length > 0) && Object.keys(obj(s.matchLabels)).every((k) => generatedKeys.has(k));

/**
 * ValidateJob. The API server gives a Job's pods the labels `job-name` and
 * `batch.kubernetes.io/job-name` = the Job's name, so a name over 63 characters fails as
 * a template label value; and it generates the selector, so a selector without
 * `manualSelector: true` is refused.
 */
export function validateJob(o: Obj, old?: Obj): FieldError[] {
  const spec = obj(o.spec);
  const name = String(obj(o.metadata).name ?? '');
  const out = nonNegative(spec, ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished'], 'spec');
  const manual = spec.manualSelector === true;
  if (!manual && name.length > 63) out.push(invalid('spec.template.labels', name, maxLenError(63)));
  if (!manual && spec.selector !== undefined && !old && !generatedOnly(obj(spec.selector))) out.push(invalid('spec.selector', spec.selector, '`selector` not auto-generated'));
  if (manual) {
    const selector = obj(spec.selector);
    if (spec.selector === undefined) out.push(required('spec.selector'));
    else if (!selectorMatches(selector, obj(obj(obj(spec.template).metadata).labels))) {
      out.push(invalid('spec.template.metadata.labels', obj(obj(obj(spec.template).metadata).labels), '`selector` does not match template `labels`'));
    }
  }
  const template = obj(spec.template);
  out.push(...validatePodTemplate(template, 'spec.template'));
  const policy = restartPolicyOf(template);
  if (policy !== 'OnFailure' && policy !== 'Never') out.push(notSupported('spec.template.spec.restartPolicy', policy, ['OnFailure', 'Never']));
  if (old) {
    const before = obj(old.spec);
    if (!isDeepStrictEqual(before.completions, spec.completions)) out.push(immutable('spec.completions', spec.completions));
    if (!isDeepStrictEqual(before.template, spec.template)) out.push(immutable('spec.template', spec.template));
  }
  return out;
}

/** ValidateReplicaSet: selector matching the template, and the pod template. */
export function validateReplicaSet(o: Obj): FieldError[] {
  const spec = obj(o.spec);
  const template = obj(spec.template);
  const out = nonNegative(spec, ['replicas', 'minReadySeconds'], 'spec');
  const selector = obj(spec.selector);
  if (spec.selector === undefined) out.push(required('spec.selector'));
  else if (!selectorMatches(selector, obj(obj(template.metadata).labels))) {
    out.push(invalid('spec.template.metadata.labels', obj(obj(template.metadata).labels), '`selector` does not match template `labels`'));
  }
  return [...out, ...validatePodTemplate(template, 'spec.template')];
}

/** ValidatePod: the pod spec. */
export function validatePod(o: Obj): FieldError[] {
  return validatePodSpec(obj(o.spec), 'spec');
}
