import test from 'ava';
import { createUiSessions } from '../../../../controller/ui/ui-session.ts';
import type { User } from '../../../../controller/auth/user-store.ts';

const alice: User = { username: 'alice', passwordHash: 'scrypt$alice-hash', namespaces: ['team-a'] };
const users = new Map([['alice', alice]]);

function sessions(start = 1_000_000) {
  const clock = { now: start };
  return { clock, sessions: createUiSessions((name) => users.get(name), () => clock.now, 60_000) };
}

test('a token verifies for its user until it expires', (t) => {
  const { clock, sessions: s } = sessions();
  const { token, maxAgeSeconds } = s.issue(alice);
  t.is(maxAgeSeconds, 60);
  t.is(s.verify(token)?.user, alice);
  clock.now += 60_000;
  t.is(s.verify(token), undefined);
});

test('a tampered token, another user\'s name or a changed password is refused', (t) => {
  const { sessions: s } = sessions();
  const { token } = s.issue(alice);
  const [, expires, nonce, signature] = token.split('.');
  t.is(s.verify(`${Buffer.from('admin').toString('base64url')}.${expires}.${nonce}.${signature}`), undefined);
  t.is(s.verify(`${token.split('.')[0]}.${Number(expires) + 1}.${nonce}.${signature}`), undefined);
  t.is(s.verify(`${token}x`), undefined);
  t.is(s.verify('garbage'), undefined);
  t.is(s.verify(undefined), undefined);
  users.set('alice', { ...alice, passwordHash: 'scrypt$new-hash' });
  t.teardown(() => users.set('alice', alice));
  t.is(s.verify(token), undefined);
});

test('the CSRF token belongs to one session, and a revoked session is refused', (t) => {
  const { sessions: s } = sessions();
  const one = s.verify(s.issue(alice).token)!;
  const two = s.verify(s.issue(alice).token)!;
  t.true(s.csrfMatches(one, s.csrfToken(one)));
  t.false(s.csrfMatches(one, s.csrfToken(two)));
  t.false(s.csrfMatches(one, ''));
  t.false(s.csrfMatches(one, undefined));
  s.revoke(one);
  t.is(s.verify(one.token), undefined);
  t.truthy(s.verify(two.token));
});
