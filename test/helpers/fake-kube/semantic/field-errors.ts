/**
 * Field errors as apimachinery's `util/validation/field/errors.go` words them
 * (`spec.ports[0].name: Invalid value: "x": …`), with the cause `reason` the Status carries.
 */

/** One refused field: its path, the message after `path: `, and the Status cause reason. */
export type FieldError = { field: string; message: string; reason: string };

// Go prints strings with %q, numbers and booleans plainly, maps and structs as JSON in recent versions.
function shown(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

const withDetail = (head: string, detail: string): string => (detail ? `${head}: ${detail}` : head);

/** `Invalid value: "v": detail` (FieldValueInvalid). */
export const invalid = (field: string, value: unknown, detail: string): FieldError =>
  ({ field, reason: 'FieldValueInvalid', message: withDetail(`Invalid value: ${shown(value)}`, detail) });

/** `Required value[: detail]` (FieldValueRequired). */
export const required = (field: string, detail = ''): FieldError =>
  ({ field, reason: 'FieldValueRequired', message: withDetail('Required value', detail) });

/** `Duplicate value: "v"` (FieldValueDuplicate). */
export const duplicate = (field: string, value: unknown): FieldError =>
  ({ field, reason: 'FieldValueDuplicate', message: `Duplicate value: ${shown(value)}` });

/** `Unsupported value: "v": supported values: "a", "b"` (FieldValueNotSupported). */
export const notSupported = (field: string, value: unknown, valid: string[]): FieldError =>
  ({ field, reason: 'FieldValueNotSupported', message: withDetail(`Unsupported value: ${shown(value)}`, valid.length ? `supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}` : '') });

/** `Forbidden: detail` (FieldValueForbidden). */
export const forbidden = (field: string, detail: string): FieldError =>
  ({ field, reason: 'FieldValueForbidden', message: withDetail('Forbidden', detail) });

/** `Too long: must have at most N bytes` (FieldValueTooLong). */
export const tooLong = (field: string, max: number): FieldError =>
  ({ field, reason: 'FieldValueTooLong', message: `Too long: must have at most ${max} bytes` });

/** `Not found: "v"` (FieldValueNotFound). */
export const notFoundValue = (field: string, value: unknown): FieldError =>
  ({ field, reason: 'FieldValueNotFound', message: `Not found: ${shown(value)}` });

/** One Invalid per message of a format check (`isDNS1123Label(name)` → causes). */
export const each = (field: string, value: unknown, messages: string[]): FieldError[] => messages.map((m) => invalid(field, value, m));

/** Immutable field changed on update. */
export const immutable = (field: string, value: unknown): FieldError => invalid(field, value, 'field is immutable');
