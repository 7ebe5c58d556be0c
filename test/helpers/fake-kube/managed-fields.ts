/** `metadata.managedFields` bookkeeping for ordinary writes (operation Update). */
import { isDeepStrictEqual } from 'node:util';
import { fromFieldsV1, pathKey, scopedPaths, toFieldsV1, valueAt, type FieldPath } from './fieldset.ts';
import type { KubeObject, ManagedFieldsEntry } from './store.ts';

/** The time format of managedFields (seconds, no fraction). */
export const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** Replace the fields a manager owns; entries left with no fields disappear. */
export function setOwned(
  entries: ManagedFieldsEntry[], who: { manager: string; operation: 'Apply' | 'Update'; subresource?: string; apiVersion: string }, paths: FieldPath[],
): ManagedFieldsEntry[] {
  const same = (e: ManagedFieldsEntry) => e.manager === who.manager && e.operation === who.operation && (e.subresource ?? '') === (who.subresource ?? '');
  const rest = entries.filter((e) => !same(e));
  if (paths.length === 0) return rest;
  // Unchanged ownership keeps its entry (and time), so a no-op write stays a no-op.
  const previous = entries.find(same);
  if (previous && isDeepStrictEqual(previous.fieldsV1, toFieldsV1(paths)) && previous.apiVersion === who.apiVersion) return entries;
  const entry: ManagedFieldsEntry = { manager: who.manager, operation: who.operation, apiVersion: who.apiVersion, time: now(), fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(paths) };
  if (who.subresource) entry.subresource = who.subresource;
  return [...rest, entry];
}

/** Remove `paths` from every entry but `keep`'s. */
export function disown(entries: ManagedFieldsEntry[], paths: Set<string>, keep?: (e: ManagedFieldsEntry) => boolean): ManagedFieldsEntry[] {
  const out: ManagedFieldsEntry[] = [];
  for (const e of entries) {
    if (keep?.(e)) { out.push(e); continue; }
    const owned = fromFieldsV1(e.fieldsV1);
    const left = owned.filter((p) => !paths.has(pathKey(p)));
    if (left.length === owned.length) out.push(e);
    else if (left.length > 0) out.push({ ...e, fieldsV1: toFieldsV1(left) });
  }
  return out;
}

/**
 * Record an Update: the fields that changed between `old` and `next` now belong to `manager`
 * (and to no one else), as kube-apiserver does for PUT and non-apply PATCH. Mutates `next`.
 */
export function recordUpdate(old: KubeObject | undefined, next: KubeObject, manager: string, apiVersion: string, subresource?: string): void {
  const before = old ? scopedPaths(old, subresource) : [];
  const after = scopedPaths(next, subresource);
  // A list item changes hands only when it appears; edits inside it move only the edited fields.
  const changed = after.filter((p) => (p[p.length - 1]!.startsWith('k:') ? valueAt(old, p) === undefined : !isDeepStrictEqual(valueAt(old, p), valueAt(next, p))));
  const gone = before.filter((p) => valueAt(next, p) === undefined);
  if (changed.length === 0 && gone.length === 0) {
    if (old) next.metadata.managedFields = old.metadata.managedFields;
    return;
  }
  let entries = disown(old?.metadata.managedFields ?? [], new Set([...changed, ...gone].map(pathKey)));
  const who = { manager, operation: 'Update' as const, subresource, apiVersion };
  const mine = entries.find((e) => e.manager === manager && e.operation === 'Update' && (e.subresource ?? '') === (subresource ?? ''));
  const owned = new Map((mine ? fromFieldsV1(mine.fieldsV1) : []).map((p) => [pathKey(p), p] as const));
  for (const p of changed) owned.set(pathKey(p), p);
  entries = setOwned(entries, who, [...owned.values()]);
  if (entries.length > 0) next.metadata.managedFields = entries;
  else delete next.metadata.managedFields;
}
