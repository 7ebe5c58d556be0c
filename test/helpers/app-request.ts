/**
 * Requests to an app's URL (`http://web.localhost:8080/`) sent to 127.0.0.1 with the
 * URL's host in the Host header, so tests do not depend on how the machine resolves
 * `*.localhost`.
 */
import { request, Agent } from 'node:http';

/** The status and body of a GET of `url`. */
export function getApp(url: string, agent?: Agent): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: target.port || 80, path: target.pathname + target.search, headers: { host: target.host }, agent: agent ?? false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Polls `check` until it returns true; fails after `timeoutMs` naming `what`. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await Promise.resolve().then(check).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Requests `url` back to back until stopped, counting answers and failures (anything
 * but a 200 whose body passes `ok`): the client of the "no request dropped" tests.
 */
export function hammer(url: string, ok: (body: string) => boolean) {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const failures: string[] = [];
  let answered = 0;
  let running = true;
  const loop = async () => {
    while (running) {
      try {
        const response = await getApp(url, agent);
        if (response.status === 200 && ok(response.body)) answered += 1;
        else failures.push(`${response.status} ${response.body.slice(0, 120)}`);
      } catch (error) {
        failures.push(String((error as Error).message));
      }
    }
  };
  const loops = [loop(), loop()];
  return {
    get answered() { return answered; },
    failures,
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
    },
  };
}
