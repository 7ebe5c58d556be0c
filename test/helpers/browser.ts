/**
 * Real Chromium for the dashboard's tests: Debian's `chromium` driven by
 * playwright-core (no browser download), plus axe-core injected from node_modules for
 * accessibility checks. Tests skip with {@link CHROMIUM_MISSING} when it is absent.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REPO_ROOT } from './server-process.ts';

/** Where Debian installs the browser. */
export const CHROMIUM = '/usr/bin/chromium';
/** True when the browser is installed. */
export const hasChromium = existsSync(CHROMIUM);
/** Why browser tests are skipped on this machine. */
export const CHROMIUM_MISSING = `${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium) to run the dashboard's browser tests`;

/** Starts headless Chromium (playwright-core gives it a fresh temporary profile of its own). */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** One axe-core finding. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core in `page`; returns the violations whose impact is serious or critical. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  const source = await readFile(join(REPO_ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol, which the dashboard's CSP (no inline scripts) does not govern.
  await page.evaluate(`${source}\n;true`);
  const violations = await page.evaluate(async () => {
    const result = await (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe.run();
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
