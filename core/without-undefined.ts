/** A shallow copy of `value` without the keys whose value is undefined (JSON and YAML drop them anyway; equality checks must too). */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
