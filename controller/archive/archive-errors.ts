/**
 * Archive error cases that core/error-cases.ts does not name yet. They follow the same
 * shape (stable code, 4xx status, `stalled`: the user must send another archive).
 * Candidates to move into core/error-cases.ts.
 */
import { SlipwayError } from '../../core/errors.ts';

/** 413: an archive holds more entries than SLIPWAY_MAX_ARCHIVE_ENTRIES allows. */
export const tooManyEntries = (limit: number) =>
  new SlipwayError('too_large',
    `the archive holds more than ${limit} entries (SLIPWAY_MAX_ARCHIVE_ENTRIES)`,
    { status: 413, retry: 'stalled', data: { limit, setting: 'SLIPWAY_MAX_ARCHIVE_ENTRIES' } });

/** 422: an archive is truncated or damaged (bad gzip stream, bad tar header, bad zip). */
export const corruptArchive = (detail: string) =>
  new SlipwayError('corrupt_archive',
    `the archive is damaged or truncated: ${detail}; create it again and retry`,
    { status: 422, retry: 'stalled', data: { detail } });
