import type { StateStore } from '../../core/ports/state-store.ts';
import { isSlipwayError } from '../../core/errors.ts';

/** The namespace every installation has, as in Epinio. */
export const DEFAULT_NAMESPACE = 'workspace';

/** Creates the default namespace unless it exists. Safe to run at every start. */
export async function ensureDefaultNamespace(store: StateStore): Promise<void> {
  if (await store.getNamespace(DEFAULT_NAMESPACE)) return;
  try {
    await store.createNamespace(DEFAULT_NAMESPACE);
  } catch (error) {
    if (!isSlipwayError(error, 'namespace_exists')) throw error;
  }
}
