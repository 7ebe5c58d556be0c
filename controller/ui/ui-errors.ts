/**
 * The dashboard's own refusals. They sit here rather than in core/error-cases.ts
 * because only the browser-facing layer raises them.
 */
import { SlipwayError } from '../../core/errors.ts';

/** 403 `csrf_refused`: a state change through a dashboard session without its CSRF token. */
export const csrfRefused = () =>
  new SlipwayError('csrf_refused', 'this request changes state but does not carry the session\'s CSRF token (X-CSRF-Token); reload the page and try again', { status: 403, retry: 'stalled' });

/** 403 `cross_origin`: a state change sent from another site. */
export const crossOrigin = (origin: string) =>
  new SlipwayError('cross_origin', `requests from ${origin} may not change anything here; use the dashboard at this server's own address`, { status: 403, retry: 'stalled' });

/** 501 `sessions_unavailable`: the authenticator cannot look users up, so sessions cannot be checked. */
export const sessionsUnavailable = () =>
  new SlipwayError('sessions_unavailable', 'this server\'s user store cannot back dashboard sessions; use the API with BasicAuth', { status: 501 });
