import test from 'ava';
import { slimTarget } from '../../../controller/adapters/kube/slim-kube-config.ts';

const CONFIG = 'file:///app/node_modules/@kubernetes/client-node/dist/config.js';
const IMPORT = "import { createConfiguration, ServerConfiguration, } from './gen/index.js';\n";

/** A file system holding config.js with `source` and the files named in `present`. */
const files = (source: string, present = ['dist/gen/configuration.js', 'dist/gen/servers.js']) => ({
  read: (url: URL) => (url.href === CONFIG ? source : undefined),
  exists: (url: URL) => present.some((file) => url.href.endsWith(`/client-node/${file}`)),
});

test('config.js\'s import of the generated index is pointed at the two modules it uses', async (t) => {
  const url = slimTarget('./gen/index.js', CONFIG, files(IMPORT));
  t.truthy(url);
  const source = decodeURIComponent(url!.replace(/^data:text\/javascript,/, ''));
  t.is(source, [
    'export { createConfiguration } from "file:///app/node_modules/@kubernetes/client-node/dist/gen/configuration.js";',
    'export { ServerConfiguration } from "file:///app/node_modules/@kubernetes/client-node/dist/gen/servers.js";',
  ].join('\n'));
});

const untouched = test.macro({
  exec(t, specifier: string, parent: string | undefined, source: string, present?: string[]) {
    t.is(slimTarget(specifier, parent, files(source, present)), undefined);
  },
  title: (what = '') => `left alone: ${what}`,
});

test('the package index importing the generated index', untouched, './gen/index.js', 'file:///app/node_modules/@kubernetes/client-node/dist/index.js', IMPORT);
test('another import of config.js', untouched, './gen/http/http.js', CONFIG, IMPORT);
test('a config.js of another package', untouched, './gen/index.js', 'file:///app/node_modules/other/dist/config.js', IMPORT);
test('no parent (an entry point)', untouched, './gen/index.js', undefined, IMPORT);
test('config.js importing more names from the index (a new client-node)', untouched, './gen/index.js', CONFIG,
  "import { createConfiguration, ServerConfiguration, RequestContext } from './gen/index.js';");
test('config.js no longer importing the index', untouched, './gen/index.js', CONFIG, "import { createConfiguration } from './gen/configuration.js';");
test('a defining file that moved', untouched, './gen/index.js', CONFIG, IMPORT, ['dist/gen/configuration.js']);
test('an auth plugin whose source cannot be checked (its test may have changed)', untouched, './oidc_auth.js', CONFIG, "import { OpenIDConnectAuth } from './oidc_auth.js';");
test('an auth plugin imported under another name', untouched, './azure_auth.js', CONFIG, "import { AzureAuth as A } from './azure_auth.js';");
