import test from 'ava';
import { html } from '../../../../controller/ui/html.ts';

test('interpolated values are escaped; nested html and arrays of it are kept', (t) => {
  const name = '<script>alert("x")</script>&\'';
  const item = (text: string) => html`<li>${text}</li>`;
  const page = html`<p title="${name}">${name}</p><ul>${['a<b', 'c'].map(item)}</ul>${undefined}${false}${0}`;
  t.is(page.markup, '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p><ul><li>a&lt;b</li><li>c</li></ul>0');
});

test('only html`` makes markup: an object from data with a markup field is escaped', (t) => {
  t.is(html`${{ markup: '<b>', toString: () => '<b>' }}`.markup, '&lt;b&gt;');
});
