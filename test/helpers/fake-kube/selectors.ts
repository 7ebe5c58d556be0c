/** Label selectors (`=`, `==`, `!=`, `in`, `notin`, exists, `!key`) and field selectors. */
import { badRequest } from './status.ts';
import type { KubeObject } from './store.ts';

/** A parsed selector: true when the object matches. */
export type Matcher = (object: KubeObject) => boolean;

type Requirement = (labels: Record<string, string>) => boolean;

// Split on commas outside parentheses: "a in (x,y),b" → ["a in (x,y)", "b"].
function splitTerms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

function requirement(term: string): Requirement {
  let m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (m) {
    const [, key, op, list] = m as unknown as [string, string, string, string];
    const values = list.split(',').map((v) => v.trim());
    return op === 'in' ? (l) => key in l && values.includes(l[key]!) : (l) => !(key in l) || !values.includes(l[key]!);
  }
  m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(term);
  if (m) {
    const [, key, op, value] = m as unknown as [string, string, string, string];
    return op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
  }
  m = /^(!?)([\w./-]+)$/.exec(term);
  if (m) {
    const [, not, key] = m as unknown as [string, string, string];
    return not ? (l) => !(key in l) : (l) => key in l;
  }
  throw badRequest(`unable to parse requirement: ${term}`);
}

/** Parse a labelSelector query value; undefined or empty matches everything. */
export function labelSelector(text: string | undefined): Matcher {
  if (!text) return () => true;
  const reqs = splitTerms(text).map(requirement);
  return (o) => reqs.every((r) => r(o.metadata.labels ?? {}));
}

/** Parse a fieldSelector (`metadata.name`, `metadata.namespace`, and `status.phase` for pods). */
export function fieldSelector(text: string | undefined): Matcher {
  if (!text) return () => true;
  const reqs = splitTerms(text).map((term) => {
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid field selector: ${term}`);
    const [, field, op, value] = m as unknown as [string, string, string, string];
    const read = fieldReader(field);
    return (o: KubeObject) => (op === '!=' ? read(o) !== value : read(o) === value);
  });
  return (o) => reqs.every((r) => r(o));
}

function fieldReader(field: string): (o: KubeObject) => string | undefined {
  switch (field) {
    case 'metadata.name': return (o) => o.metadata.name;
    case 'metadata.namespace': return (o) => o.metadata.namespace;
    case 'status.phase': return (o) => (o.status as { phase?: string } | undefined)?.phase;
    case 'spec.nodeName': return (o) => (o.spec as { nodeName?: string } | undefined)?.nodeName;
    default: throw badRequest(`field label not supported: ${field}`);
  }
}
