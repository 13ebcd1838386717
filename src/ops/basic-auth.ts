import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

/**
 * HTTP Basic authentication for operator pages (the queue dashboard). Both the user and the
 * password are compared in constant time, on SHA-256 digests so that neither their content nor
 * their length shows in the response time, and both are always compared.
 */
export interface Credentials {
  user: string;
  password: string;
}

export function credentialsMatch(authorization: string | undefined, expected: Credentials): boolean {
  const given = parseBasicAuthorization(authorization);
  const userMatches = sameSecret(given?.user ?? '', expected.user);
  const passwordMatches = sameSecret(given?.password ?? '', expected.password);
  return given !== undefined && userMatches && passwordMatches;
}

/** `Basic base64(user:password)` → its parts; the password may contain ':'. */
export function parseBasicAuthorization(header: string | undefined): Credentials | undefined {
  const match = /^Basic\s+([\w+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export function basicAuth(expected: Credentials, realm: string): RequestHandler {
  return (req, res, next) => {
    if (credentialsMatch(req.headers.authorization, expected)) {
      next();
      return;
    }
    res.set('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`);
    res.status(401).type('text/plain').send('Authentication required.\n');
  };
}
