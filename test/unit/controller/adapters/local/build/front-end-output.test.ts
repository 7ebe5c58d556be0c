import test from 'ava';
import { isDevServer } from '../../../../../../controller/adapters/local/build/front-end-output.ts';

for (const script of ['react-scripts start', 'ng serve', 'vue-cli-service serve', 'vite', 'vite dev', 'vite --port 3000', 'npx vite', 'astro dev',
  'gatsby develop', 'nuxt dev', 'nuxi dev', 'next dev -p 3000', 'webpack serve --mode development', 'webpack-dev-server', 'cross-env X=1 vite']) {
  test(`"${script}" runs a development server`, (t) => t.true(isDevServer(script)));
}
for (const script of ['next start', 'node build', 'nuxt start', 'vite preview', 'serve -s build', 'node server.js', 'remix-serve ./build/server/index.js',
  'astro preview', 'node vite-server.js', 'gatsby serve']) {
  test(`"${script}" is a production start`, (t) => t.false(isDevServer(script)));
}
