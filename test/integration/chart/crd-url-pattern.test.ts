/**
 * The App CRD's `spec.origin.url` pattern: what `kubectl apply` lets through must be what
 * the API accepts — https without credentials, and SSH in both spellings (issue 17).
 */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { APP_CRD } from '../../helpers/kube-server.ts';

type Node = { properties?: Record<string, Node>; pattern?: string };

async function urlPattern(): Promise<RegExp> {
  const crd = parse(await readFile(APP_CRD, 'utf8')) as { spec: { versions: { schema: { openAPIV3Schema: Node } }[] } };
  const spec = crd.spec.versions[0]!.schema.openAPIV3Schema.properties!.spec!;
  return new RegExp(spec.properties!.origin!.properties!.url!.pattern!);
}

test('accepts https and SSH URLs', async (t) => {
  const pattern = await urlPattern();
  for (const url of ['https://github.com/org/api.git', 'http://127.0.0.1:8080/x.git', 'git@github.com:org/api.git', 'git@gitlab.com:group/sub/api',
    'ssh://git@github.com/org/api.git', 'ssh://git@git.example.com:2222/org/api.git', 'ssh://root@127.0.0.1:2222/srv/git/api.git', 'ssh://git.example.com/org/api', 'git@host:/srv/git/api.git']) {
    t.true(pattern.test(url), url);
  }
});

test('refuses credentials, other schemes and option-like paths', async (t) => {
  const pattern = await urlPattern();
  for (const url of ['https://user:token@github.com/org/api', 'ssh://git:pw@github.com/org/api', 'file:///etc/passwd', 'ext::sh -c x', 'git@github.com:-oProxyCommand=x',
    'github.com:org/api', 'ssh://git@github.com', 'git@github.com: org/api']) {
    t.false(pattern.test(url), url);
  }
});
