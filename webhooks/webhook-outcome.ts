/**
 * What a provider's payload means for Slipway, produced by the pure `map…` functions
 * and acted on only after the signature checks: a branch moved, a ping, or something
 * to ignore (with the reason the sender sees).
 */
import type { z } from 'zod';
import { branchOfRef } from '../core/repo-url.ts';
import { invalidPayload } from './parse-payload.ts';

/** The result of mapping one delivery. Every kind names the repository URLs used to find secrets. */
export type WebhookOutcome =
  | { kind: 'push'; repositoryUrls: string[]; branch: string; after?: string }
  | { kind: 'ping'; repositoryUrls: string[]; zen?: string }
  | { kind: 'pull_request'; repositoryUrls: string[]; number: number; action: 'open' | 'close'; fork: boolean; head?: string; updatedAt?: string }
  | { kind: 'ignored'; repositoryUrls: string[]; reason: string };

const ZERO_SHA = /^0+$/;

/** A push to `ref`: a branch that moved, or an ignored tag push, branch deletion or other ref. */
export function refOutcome(repositoryUrls: string[], ref: string, after: string | undefined, deleted = false): WebhookOutcome {
  const branch = branchOfRef(ref);
  if (ref.startsWith('refs/tags/')) return { kind: 'ignored', repositoryUrls, reason: `tag push ${ref}: Slipway follows branches` };
  if (!branch) return { kind: 'ignored', repositoryUrls, reason: `push to ${ref}: not a branch` };
  if (deleted || (after !== undefined && ZERO_SHA.test(after))) return { kind: 'ignored', repositoryUrls, reason: `branch ${branch} was deleted` };
  return after === undefined ? { kind: 'push', repositoryUrls, branch } : { kind: 'push', repositoryUrls, branch, after };
}

/** The non-empty string values of `keys` in `object`, deduplicated, in order. */
export function urlsOf(object: Record<string, unknown> | undefined | null, keys: readonly string[]): string[] {
  if (!object) return [];
  const urls = keys.map((key) => object[key]).filter((value): value is string => typeof value === 'string' && value.trim() !== '');
  return [...new Set(urls)];
}

/**
 * The URLs of `payload.repository` (or another key) when it is an object, or none: the
 * lenient lookup for events Slipway ignores, so per-app secrets still verify them.
 */
export function lenientUrls(payload: unknown, key: string, keys: readonly string[]): string[] {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return [];
  const inner = (payload as Record<string, unknown>)[key];
  if (!inner || typeof inner !== 'object' || Array.isArray(inner)) return [];
  return urlsOf(inner as Record<string, unknown>, keys);
}

/** Parses `payload` with `schema`, turning the first issue into a 400 `invalid_payload` naming the field. */
export function parseShape<S extends z.ZodType>(schema: S, payload: unknown): z.infer<S> {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join('.') || 'payload';
  throw invalidPayload(`${field}: ${issue.message}`);
}

/** Throws `invalid_payload` when a repository gave no URL at all (nothing to match an app against). */
export function requireUrls(urls: string[], where: string): string[] {
  if (urls.length === 0) throw invalidPayload(`${where} has no URL`);
  return urls;
}
