/**
 * Translates what went wrong talking to the server into {@link CliError}s a person can
 * act on: the server's problem `detail` and `code`, or why the server could not be
 * reached. Credentials never appear: messages only hold the redacted base URL.
 */
import { redactUrl } from '../core/redact.ts';
import { CliError } from './cli-error.ts';

/** The JSON problem document the server answers errors with. */
export interface Problem {
  status?: number;
  code?: string;
  title?: string;
  detail?: string;
  data?: Record<string, unknown>;
}

const LOGIN_HINT = 'log in with `slipway login URL --user USER --password PASSWORD`, or set SLIPWAY_USER and SLIPWAY_PASSWORD';

/** What to do next for a server problem, when there is something better than the detail. */
function hintFor(status: number, code: string | undefined): string | undefined {
  if (status === 401 && (code === undefined || code === 'unauthorized')) return LOGIN_HINT;
  if (status === 403 && code !== 'git_address_refused') return 'your user has no rights for this; ask an administrator for a role in the namespace';
  if (status >= 500) return 'the server failed; its log has the details';
  return undefined;
}

/** The error for a non-2xx answer: the problem's detail and code, or the status line. */
export async function responseError(response: Response): Promise<CliError> {
  const text = await response.text().catch(() => '');
  let problem: Problem = {};
  if (/json/i.test(response.headers.get('content-type') ?? '')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object') problem = parsed as Problem;
    } catch {
      // Not JSON after all (a proxy's error page); fall through to the status line.
    }
  }
  const status = response.status;
  const detail = problem.detail ?? problem.title ?? `the server answered ${status} ${response.statusText}`.trim();
  return new CliError(detail, { code: problem.code ?? `http_${status}`, status, data: problem.data, hint: hintFor(status, problem.code) });
}

/** Network error codes of the failed connection, looking through undici's `cause` chain. */
function networkCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth += 1) {
    const { code, errors, cause } = current as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof code === 'string') codes.push(code);
    // Happy eyeballs (localhost → ::1 and 127.0.0.1) fails with an AggregateError.
    if (Array.isArray(errors)) for (const inner of errors) codes.push(...networkCodes(inner));
    current = cause;
  }
  return codes;
}

/** The error for a request that got no answer at all. */
export function networkError(error: unknown, baseUrl: string): CliError {
  const url = redactUrl(baseUrl);
  const codes = networkCodes(error);
  const hint = 'start it with `slipway server`, or point the CLI at another server with `slipway login URL`, SLIPWAY_URL or --url';
  if (codes.includes('ECONNREFUSED') || codes.includes('ECONNRESET') || codes.includes('EHOSTUNREACH')) {
    return new CliError(`cannot reach Slipway at ${url}: is \`slipway server\` running? (\`slipway login URL\`)`, { code: 'unreachable', hint });
  }
  if (codes.includes('ENOTFOUND') || codes.includes('EAI_AGAIN')) {
    return new CliError(`cannot reach Slipway at ${url}: the host name does not resolve`, { code: 'unreachable', hint: 'check the URL (`slipway login URL`, SLIPWAY_URL or --url)' });
  }
  if (codes.some((c) => c.startsWith('UND_ERR_') && c.includes('TIMEOUT')) || codes.includes('ETIMEDOUT')) {
    return new CliError(`Slipway at ${url} did not answer in time`, { code: 'timeout', hint: 'check the server and the network, then retry' });
  }
  const reason = codes[0] ?? (error instanceof Error ? error.message : String(error));
  return new CliError(`cannot reach Slipway at ${url}: ${reason}`, { code: 'unreachable', hint });
}
