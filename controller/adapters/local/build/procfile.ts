/**
 * Procfile parsing, as Heroku and foreman read it: one `type: command` per line,
 * process types made of letters, digits, `_` and `-`; blank lines and `#` comments
 * ignored. Lines that fit neither are ignored too, as foreman does, so a stray line
 * never hides the `web:` one.
 */
import { stageFailed } from './stage-failed.ts';

const LINE = /^([A-Za-z0-9_-]+)[ \t]*:[ \t]*(.*?)\s*$/;

/** The process types of a Procfile's text, in file order (a repeated type: the last wins). */
export function parseProcfile(text: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (match && match[2] !== '') types.set(match[1]!, match[2]!);
  }
  return types;
}

/** The `web:` command of a Procfile, or `stage_failed` naming the process types it has instead. */
export function procfileWebCommand(text: string): string {
  const types = parseProcfile(text);
  const web = types.get('web');
  if (web !== undefined) return web;
  const found = [...types.keys()];
  throw stageFailed(
    `Procfile has no web: line (found ${found.length === 0 ? 'no process types' : `only: ${found.join(', ')}`}); ` +
      'add a line such as "web: node server.js" — the web process must listen on $PORT',
    { processTypes: found },
  );
}
