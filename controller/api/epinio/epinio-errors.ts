/**
 * The error list Epinio's CLI reads. Its client decodes every answer of status 400 or
 * more as `{"errors":[{"status","title","details"}]}` and shows the first `title` only
 * (epinio/epinio `pkg/api/core/v1/errors`, `APIError.Error()`), so the title carries
 * the message a person can act on and `details` the stable code.
 */
import type { Problem } from '../problem-middleware.ts';

/** One entry of Epinio's `errors` array. */
export interface EpinioError {
  status: number;
  title: string;
  details: string;
}

/** Epinio's `errors` array for a problem document, sent beside the problem's own fields. */
export function epinioErrors(problem: Pick<Problem, 'status' | 'code' | 'detail'>): EpinioError[] {
  return [{ status: problem.status, title: problem.detail, details: problem.code }];
}
