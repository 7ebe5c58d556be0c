/**
 * PersistentVolumeClaim (`pkg/apis/core/validation/validation.go`:
 * ValidatePersistentVolumeClaimSpec, ValidatePersistentVolumeClaimUpdate), Lease
 * (`pkg/apis/coordination/validation/validation.go`: ValidateLeaseSpec) and core/v1 Event
 * (`pkg/apis/core/validation/events.go`: legacyValidateEvent) checks.
 */
import { isDeepStrictEqual } from 'node:util';
import { each, forbidden, invalid, notSupported, required, type FieldError } from './field-errors.ts';
import { isDNS1123Subdomain, isLabelKey } from './formats.ts';
import { parseQuantity } from './quantity.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? v as Obj : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

/** ValidatePersistentVolumeClaim (+ its update rule: only resources.requests may change). */
export function validatePersistentVolumeClaim(o: Obj, old?: Obj): FieldError[] {
  const spec = obj(o.spec);
  const out: FieldError[] = [];
  const modes = Array.isArray(spec.accessModes) ? spec.accessModes as unknown[] : [];
  if (modes.length === 0) out.push(required('spec.accessModes', 'at least 1 access mode is required'));
  for (const mode of modes) if (!ACCESS_MODES.includes(str(mode))) out.push(notSupported('spec.accessModes', mode, ACCESS_MODES));
  const storage = obj(obj(spec.resources).requests).storage;
  if (storage === undefined) out.push(required('spec.resources[storage]'));
  else if ((parseQuantity(storage) ?? 1) <= 0) out.push(invalid('spec.resources[storage]', storage, 'must be greater than zero'));
  if (spec.storageClassName !== undefined && str(spec.storageClassName) !== '') {
    out.push(...each('spec.storageClassName', spec.storageClassName, isDNS1123Subdomain(str(spec.storageClassName))));
  }
  if (old) {
    const strip = (s: Obj): Obj => ({ ...s, resources: { ...obj(s.resources), requests: undefined }, volumeAttributesClassName: undefined });
    if (!isDeepStrictEqual(strip(obj(old.spec)), strip(spec))) {
      out.push(forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
    }
  }
  return out;
}

/** ValidateLeaseSpec. */
export function validateLease(o: Obj): FieldError[] {
  const spec = obj(o.spec);
  const out: FieldError[] = [];
  if (typeof spec.leaseDurationSeconds === 'number' && spec.leaseDurationSeconds <= 0) out.push(invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  if (typeof spec.leaseTransitions === 'number' && spec.leaseTransitions < 0) out.push(invalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
  return out;
}

/**
 * legacyValidateEvent for core/v1 (the only checks a v1 Event gets: its metadata is not
 * validated at all). An Event without `eventTime` must name an object of its own
 * namespace; one with `eventTime` must say who reports it and what was done.
 */
export function validateEvent(o: Obj): FieldError[] {
  const out: FieldError[] = [];
  const namespace = str(obj(o.metadata).namespace);
  const involved = str(obj(o.involvedObject).namespace);
  if (!o.eventTime) {
    if (involved === '' ? namespace !== '' && namespace !== 'default' : namespace !== involved) {
      out.push(invalid('involvedObject.namespace', involved, 'does not match event.namespace'));
    }
  } else {
    if (involved === '' && namespace !== 'default' && namespace !== 'kube-system') out.push(invalid('involvedObject.namespace', involved, 'does not match event.namespace'));
    const controller = str(o.reportingComponent);
    if (!controller) out.push(required('reportingComponent'));
    else out.push(...each('reportingComponent', controller, isLabelKey(controller)));
    const instance = str(o.reportingInstance);
    if (!instance) out.push(required('reportingInstance'));
    else if (instance.length > 128) out.push(invalid('reportingInstance', '', 'can have at most 128 characters'));
    if (!str(o.action)) out.push(required('action'));
    else if (str(o.action).length > 128) out.push(invalid('action', '', 'can have at most 128 characters'));
    if (!str(o.reason)) out.push(required('reason'));
    else if (str(o.reason).length > 128) out.push(invalid('reason', '', 'can have at most 128 characters'));
    if (str(o.message).length > 1024) out.push(invalid('message', '', 'can have at most 1024 characters'));
  }
  out.push(...each('namespace', namespace, isDNS1123Subdomain(namespace)));
  return out;
}
