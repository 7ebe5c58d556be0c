/** Secret and ConfigMap checks of `pkg/apis/core/validation/validation.go` (ValidateSecret, ValidateSecretUpdate, ValidateConfigMap). */
import { each, forbidden, immutable, invalid, required, tooLong, type FieldError } from './field-errors.ts';
import { isConfigMapKey } from './formats.ts';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? v as Obj : {});

/** MaxSecretSize, also ConfigMaps' limit: 1 MiB of data. */
export const MAX_DATA_BYTES = 1024 * 1024;

const decoded = (v: unknown): Buffer => Buffer.from(typeof v === 'string' ? v : '', 'base64');

/** ValidateSecret (+ the update rules: type is immutable, data too when `immutable` was set). */
export function validateSecret(o: Obj, old?: Obj): FieldError[] {
  const out: FieldError[] = [];
  // The API server folds stringData into data before validating.
  const data: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(obj(o.data))) data[k] = decoded(v);
  for (const [k, v] of Object.entries(obj(o.stringData))) data[k] = Buffer.from(String(v));
  let size = 0;
  for (const [key, value] of Object.entries(data)) {
    out.push(...each(`data[${key}]`, key, isConfigMapKey(key)));
    size += value.length;
  }
  if (size > MAX_DATA_BYTES) out.push(tooLong('data', MAX_DATA_BYTES));
  const type = typeof o.type === 'string' ? o.type : 'Opaque';
  const need = (key: string): boolean => {
    if (key in data) return true;
    out.push(required(`data[${key}]`));
    return false;
  };
  const json = (key: string): void => {
    try {
      const parsed = JSON.parse(data[key]!.toString('utf8')) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('json: cannot unmarshal into Go value of type map[string]interface {}');
    } catch (e) {
      out.push(invalid(`data[${key}]`, '<secret contents redacted>', (e as Error).message));
    }
  };
  switch (type) {
    case 'kubernetes.io/dockerconfigjson': if (need('.dockerconfigjson')) json('.dockerconfigjson'); break;
    case 'kubernetes.io/dockercfg': if (need('.dockercfg')) json('.dockercfg'); break;
    case 'kubernetes.io/basic-auth':
      if (!('username' in data) && !('password' in data)) out.push(required('data[username]'), required('data[password]'));
      break;
    case 'kubernetes.io/ssh-auth': if (!data['ssh-privatekey']?.length) out.push(required('data[ssh-privatekey]')); break;
    case 'kubernetes.io/tls': need('tls.crt'); need('tls.key'); break;
    case 'kubernetes.io/service-account-token':
      if (!obj(obj(o.metadata).annotations)['kubernetes.io/service-account.name']) out.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
      break;
    default: break;
  }
  if (old) {
    const before = typeof old.type === 'string' ? old.type : 'Opaque';
    if (before !== type) out.push(immutable('type', type));
    if (old.immutable === true) {
      if (o.immutable !== true) out.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
      if (JSON.stringify(old.data ?? {}) !== JSON.stringify(o.data ?? {})) out.push(forbidden('data', 'field is immutable when `immutable` is set'));
    }
  }
  return out;
}

/** ValidateConfigMap: keys, 1 MiB in all, no key in both data and binaryData. */
export function validateConfigMap(o: Obj): FieldError[] {
  const out: FieldError[] = [];
  let size = 0;
  const data = obj(o.data);
  for (const [key, value] of Object.entries(data)) {
    out.push(...each(`data[${key}]`, key, isConfigMapKey(key)));
    size += Buffer.byteLength(String(value));
  }
  for (const [key, value] of Object.entries(obj(o.binaryData))) {
    out.push(...each(`binaryData[${key}]`, key, isConfigMapKey(key)));
    if (key in data) out.push(invalid(`data[${key}]`, key, 'duplicate of key present in binaryData'));
    size += decoded(value).length;
  }
  if (size > MAX_DATA_BYTES) out.push(tooLong('', MAX_DATA_BYTES));
  return out;
}
