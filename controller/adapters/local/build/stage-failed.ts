import { SlipwayError } from '../../../../core/errors.ts';

/**
 * A `stage_failed` error: the user must change the app (or its settings) before a
 * restage can succeed, so 422 and no retry. No named constructor exists in
 * core/error-cases.ts yet; this is the one place that builds it for the local build.
 */
export function stageFailed(message: string, data: Record<string, unknown> = {}, cause?: unknown): SlipwayError {
  return new SlipwayError('stage_failed', message, { status: 422, data, retry: 'stalled', cause });
}

/** The message an app that matches no supported kind gets. */
export const NOTHING_SUPPORTED =
  'no supported app found: looked for Procfile (web:), package.json, go.mod, index.html, public/index.html, dist/index.html';
