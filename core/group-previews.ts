/**
 * Lists show preview apps grouped under their parent (issue 15): each parent is
 * followed by its previews in pull request order; a preview whose parent is not in the
 * list stays where it was.
 */

/** The least of an app that grouping reads. */
interface Listed {
  metadata: { namespace: string; name: string };
  spec?: { preview?: { parent: string; number: number } };
}

/** `apps` with every preview moved right after its parent, in pull request order. */
export function groupPreviews<T extends Listed>(apps: T[]): T[] {
  const key = (namespace: string, name: string) => `${namespace}/${name}`;
  const present = new Set(apps.map((a) => key(a.metadata.namespace, a.metadata.name)));
  const children = new Map<string, T[]>();
  for (const app of apps) {
    const parent = app.spec?.preview?.parent;
    if (parent === undefined || !present.has(key(app.metadata.namespace, parent))) continue;
    const list = children.get(key(app.metadata.namespace, parent)) ?? [];
    list.push(app);
    children.set(key(app.metadata.namespace, parent), list);
  }
  const grouped: T[] = [];
  for (const app of apps) {
    const parent = app.spec?.preview?.parent;
    if (parent !== undefined && present.has(key(app.metadata.namespace, parent))) continue;
    grouped.push(app);
    const mine = children.get(key(app.metadata.namespace, app.metadata.name)) ?? [];
    grouped.push(...mine.sort((a, b) => a.spec!.preview!.number - b.spec!.preview!.number));
  }
  return grouped;
}
