/**
 * fauxqs, an in-process S3 emulator, on 127.0.0.1 and a free port. It accepts any
 * credentials.
 */
import type { AddressInfo } from 'node:net';
import { buildApp } from 'fauxqs';

/** A running emulator; `close` stops it. */
export interface S3Emulator {
  endpoint: string;
  close(): Promise<void>;
}

/** Starts fauxqs bound to 127.0.0.1 on a port the OS picks. */
export async function startS3Emulator(): Promise<S3Emulator> {
  const app = buildApp({ logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, close: async () => { await app.close(); } };
}

/** Fixed credentials for the emulator (it checks none). */
export const emulatorCredentials = { accessKeyId: 'test', secretAccessKey: 'test' };
