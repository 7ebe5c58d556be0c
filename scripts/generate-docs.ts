/**
 * Generates the reference sections of docs/cli.md (every command, argument and flag,
 * from the commander program itself) and docs/configuration.md (every SLIPWAY_*
 * variable with its kind and default, from the configuration schema), so they cannot
 * drift from the code. `npm run docs` rewrites them; test/unit/docs/generated-docs.test.ts
 * fails when they are stale. The prose around them stays hand-written.
 *
 * Usage: node scripts/generate-docs.ts [--check]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Argument, Command, Option } from 'commander';
import { buildProgram, type ProgramContext } from '../cli/program.ts';
import { configSchema } from '../core/config.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The markers around a generated section; everything between them is replaced. */
export function markers(name: string): { begin: string; end: string } {
  return {
    begin: `<!-- BEGIN GENERATED ${name}: run \`npm run docs\` after changing the code; do not edit by hand -->`,
    end: `<!-- END GENERATED ${name} -->`,
  };
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function optionRow(option: Option): string {
  const notes: string[] = [];
  if (option.argChoices) notes.push(`one of ${option.argChoices.map((c) => `\`${c}\``).join(', ')}`);
  if (option.defaultValue !== undefined && typeof option.defaultValue !== 'boolean') notes.push(`default \`${String(option.defaultValue)}\``);
  return `| \`${cell(option.flags)}\` | ${cell(option.description)}${notes.length ? ` (${notes.join('; ')})` : ''} |`;
}

function argumentText(argument: Argument): string {
  const name = `${argument.name()}${argument.variadic ? '…' : ''}`;
  return argument.required ? `<${name}>` : `[${name}]`;
}

function commandSection(command: Command, path: string[]): string[] {
  const full = [...path, command.name()];
  const lines: string[] = [];
  const subcommands = command.commands.filter((c) => c.name() !== 'help');
  const args = command.registeredArguments.map(argumentText);
  const options = command.options.filter((o) => !o.hidden && o.long !== '--help');
  if (path.length > 0) {
    lines.push(`#### \`${[...full, ...args].join(' ')}${options.length ? ' [options]' : ''}\``, '');
    if (command.aliases().length) lines.push(`Alias: \`${[...path, command.aliases()[0]].join(' ')}\`.`, '');
    lines.push(command.description() ? `${command.description().replace(/^./, (c) => c.toUpperCase())}.` : '', '');
    const described = command.registeredArguments.filter((a) => a.description);
    for (const argument of described) lines.push(`- \`${argumentText(argument)}\`: ${argument.description}`);
    if (described.length) lines.push('');
    if (options.length) lines.push('| Option | Meaning |', '| --- | --- |', ...options.map(optionRow), '');
  }
  for (const sub of subcommands) lines.push(...commandSection(sub, full));
  return lines;
}

/** docs/cli.md's generated reference, from the program `buildProgram` makes. */
export function cliReference(): string {
  const inert = () => { throw new Error('the docs generator runs no command'); };
  const program = buildProgram({
    output: { out: () => {}, err: () => {} }, cwd: ROOT, env: {}, settingsFile: '', version: '0.0.0',
    api: inert, connect: inert, runServer: inert, interrupt: inert,
  } as unknown as ProgramContext);
  const globals = program.options.filter((o) => o.long !== '--version' && o.long !== '--help');
  return [
    'Every command takes the global options:', '',
    '| Option | Meaning |', '| --- | --- |', ...globals.map(optionRow), '',
    ...commandSection(program, []),
  ].join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

interface ZodDef { type: string; defaultValue?: unknown; innerType?: { _zod: { def: ZodDef } }; in?: { _zod: { def: ZodDef } }; format?: string; entries?: Record<string, string>; values?: unknown[]; checks?: { _zod: { def: { check: string; value?: number; inclusive?: boolean; pattern?: RegExp } } }[] }

function kindOf(def: ZodDef): string {
  if (def.type === 'default' || def.type === 'optional') return kindOf(def.innerType!._zod.def);
  if (def.type === 'pipe') {
    const from = def.in!._zod.def;
    if (from.type === 'enum' && Object.keys(from.entries ?? {}).includes('yes')) return 'true or false';
    return from.type === 'string' ? 'comma-separated list' : kindOf(from);
  }
  if (def.type === 'enum') return `one of ${Object.keys(def.entries ?? {}).map((v) => `\`${v}\``).join(', ')}`;
  if (def.type === 'number') {
    const bounds = (def.checks ?? []).map((c) => c._zod.def).filter((c) => c.check === 'greater_than' || c.check === 'less_than');
    const min = bounds.find((b) => b.check === 'greater_than')?.value;
    const max = bounds.find((b) => b.check === 'less_than')?.value;
    return `integer${min !== undefined ? ` ≥ ${min}` : ''}${max !== undefined ? `, ≤ ${max}` : ''}`;
  }
  if (def.type === 'string' && def.format === 'url') return 'URL';
  return 'text';
}

function defaultOf(def: ZodDef): string {
  if (def.type !== 'default') return '—';
  const value = typeof def.defaultValue === 'function' ? (def.defaultValue as () => unknown)() : def.defaultValue;
  if (Array.isArray(value)) return value.length ? `\`${value.join(',')}\`` : '—';
  return `\`${String(value)}\``;
}

/** docs/configuration.md's generated table, from the configuration schema. */
export function configReference(): string {
  const rows = Object.entries(configSchema.shape).map(([name, field]) => {
    const def = (field as unknown as { _zod: { def: ZodDef } })._zod.def;
    return `| \`${name}\` | ${cell(kindOf(def))} | ${cell(defaultOf(def))} |`;
  });
  return ['| Variable | Kind | Default |', '| --- | --- | --- |', ...rows].join('\n');
}

/** `document` with the section `name` replaced by `content`; throws when the markers are missing. */
export function replaceSection(document: string, name: string, content: string): string {
  const { begin, end } = markers(name);
  const start = document.indexOf(begin);
  const stop = document.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`the markers of the generated ${name} section are missing`);
  return `${document.slice(0, start + begin.length)}\n${content}\n${document.slice(stop)}`;
}

/** The generated documents: path → what the file should hold. */
export async function generatedDocs(): Promise<Map<string, { current: string; wanted: string }>> {
  const files = new Map<string, { current: string; wanted: string }>();
  for (const [path, name, content] of [['docs/cli.md', 'CLI REFERENCE', cliReference()], ['docs/configuration.md', 'CONFIGURATION REFERENCE', configReference()]] as const) {
    const current = await readFile(`${ROOT}${path}`, 'utf8');
    files.set(path, { current, wanted: replaceSection(current, name, content) });
  }
  return files;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [path, { current, wanted }] of await generatedDocs()) {
    if (current === wanted) continue;
    stale += 1;
    if (check) console.error(`${path} is stale: run npm run docs`);
    else { await writeFile(`${ROOT}${path}`, wanted); console.log(`updated ${path}`); }
  }
  if (check && stale) process.exitCode = 1;
}
