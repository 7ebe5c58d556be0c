/**
 * Readers for the git objects an archive needs: tree entries, a commit's tree and
 * time, and the folder a `subdir` names.
 */
import type { PackIndex } from './pack-index.ts';

/** One entry of a tree object. */
export interface TreeEntry {
  mode: string;
  name: string;
  oid: string;
}

/** Parses a tree object's binary entries. */
export function parseTree(data: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    const nul = data.indexOf(0, space);
    if (space === -1 || nul === -1 || nul + 21 > data.length) throw new Error('corrupt tree object');
    entries.push({
      mode: data.toString('latin1', pos, space),
      name: data.toString('utf8', space + 1, nul),
      oid: data.toString('hex', nul + 1, nul + 21),
    });
    pos = nul + 21;
  }
  return entries;
}

/** The tree ID and committer time (seconds) of a commit object. */
export function parseCommit(data: Buffer): { tree: string; time: number; parents: string[] } {
  const text = data.toString('utf8', 0, Math.min(data.length, 64 * 1024));
  const headerEnd = text.indexOf('\n\n');
  const lines = text.slice(0, headerEnd === -1 ? undefined : headerEnd).split('\n');
  const tree = lines.find((l) => l.startsWith('tree '))?.slice(5) ?? '';
  const committer = lines.find((l) => l.startsWith('committer ')) ?? '';
  const time = Number.parseInt(committer.match(/ (\d+) [+-]\d{4}$/)?.[1] ?? '0', 10);
  return { tree, time, parents: lines.filter((l) => l.startsWith('parent ')).map((l) => l.slice(7)) };
}

/** Finds the tree at `subdir` (slash-separated, '' for the root); undefined when missing or not a folder. */
export function findSubtree(pack: PackIndex, rootTree: string, subdir: string): string | undefined {
  let oid = rootTree;
  for (const part of subdir.split('/').filter(Boolean)) {
    const tree = pack.read(oid);
    if (!tree || tree.type !== 'tree') return undefined;
    const entry = parseTree(tree.data).find((e) => e.name === part);
    if (!entry || entry.mode !== '40000') return undefined;
    oid = entry.oid;
  }
  return pack.read(oid)?.type === 'tree' ? oid : undefined;
}
