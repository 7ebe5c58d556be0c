/**
 * HTML built with a tagged template that escapes every interpolated value unless it
 * is already {@link Html}: the dashboard never concatenates user data into markup.
 */

/** Only {@link html} marks values as markup: a plain object with a `markup` field (data) is still escaped. */
const SAFE = Symbol('slipway.html');

/** Markup that is safe to insert as it is. */
export interface Html {
  readonly markup: string;
  readonly [SAFE]: true;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function render(value: unknown): string {
  if (value === undefined || value === null || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  if (typeof value === 'object' && SAFE in value) return (value as Html).markup;
  return escapeHtml(String(value));
}

/** `html\`<p>${text}</p>\`` — values escaped, nested `html` and arrays of it kept. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let markup = strings[0]!;
  values.forEach((value, i) => { markup += render(value) + strings[i + 1]!; });
  return { markup, [SAFE]: true };
}
