import test from 'ava';
import { matchRevision, type ServerRef } from '../../../../../controller/adapters/git/resolve-revision.ts';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const T = 'c'.repeat(40);
const refs: ServerRef[] = [
  { ref: 'HEAD', oid: A, target: 'refs/heads/main' },
  { ref: 'refs/heads/main', oid: A },
  { ref: 'refs/heads/feature/x', oid: B },
  { ref: 'refs/heads/bbbb', oid: A },
  { ref: 'refs/tags/v1', oid: T, peeled: B },
  { ref: 'refs/tags/light', oid: A },
];

const matches = test.macro({
  exec(t, revision: string, expected: ReturnType<typeof matchRevision>) {
    t.deepEqual(matchRevision(refs, revision), expected);
  },
  title: (_title, revision: string) => `matches ${JSON.stringify(revision)}`,
});

test(matches, '', { kind: 'resolved', resolved: { sha: A, branch: 'main', ref: 'refs/heads/main' } });
test(matches, 'feature/x', { kind: 'resolved', resolved: { sha: B, branch: 'feature/x', ref: 'refs/heads/feature/x' } });
test(matches, 'refs/heads/main', { kind: 'resolved', resolved: { sha: A, branch: 'main', ref: 'refs/heads/main' } });
test(matches, 'v1', { kind: 'resolved', resolved: { sha: B, ref: 'refs/tags/v1' } });
test(matches, 'light', { kind: 'resolved', resolved: { sha: A, ref: 'refs/tags/light' } });
test(matches, 'bbbb', { kind: 'resolved', resolved: { sha: A, branch: 'bbbb', ref: 'refs/heads/bbbb' } });
test(matches, B, { kind: 'resolved', resolved: { sha: B } });
test(matches, 'bbbbbbb', { kind: 'resolved', resolved: { sha: B } });
test(matches, 'd'.repeat(40), { kind: 'sha', sha: 'd'.repeat(40) });
test(matches, 'ddddddd', { kind: 'prefix', prefix: 'ddddddd' });
test(matches, 'nope', { kind: 'unknown' });

test('a default branch without a HEAD symref is found by its SHA', (t) => {
  const noSymref = refs.map((r) => (r.ref === 'HEAD' ? { ref: 'HEAD', oid: B } : r));
  t.deepEqual(matchRevision(noSymref, ''), { kind: 'resolved', resolved: { sha: B, branch: 'feature/x', ref: 'refs/heads/feature/x' } });
});
