/**
 * Which credentials an account call is signed with. Without a role: the SDK's default chain
 * (environment, profile/SSO, web identity token as on EKS with IRSA, container or instance role),
 * resolved once and refreshed by the chain itself. With a role: the bot's own credentials assume
 * it through STS once per asking person, with a RoleSessionName naming that person, so CloudTrail
 * shows who asked; the temporary credentials are kept per session name until shortly before they
 * expire.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { abortable } from '../../core/abortable.js';
import type { ToolAsker } from '../../model/tools.js';

export type AwsCredentialsProvider = ReturnType<typeof fromNodeProviderChain>;
export type AwsCredentials = Awaited<ReturnType<AwsCredentialsProvider>>;

/** STS rules for RoleSessionName: 2 to 64 characters of `[\w+=,.@-]`. */
const SESSION_NAME_MAX = 64;
const SESSION_NAME_INVALID = /[^\w+=,.@-]/g;

/** `slack-<team>-<user>`, shortened and cleaned to what STS accepts. */
export function roleSessionName(asker: Pick<ToolAsker, 'teamId' | 'userId'>): string {
  const name = `slack-${asker.teamId}-${asker.userId}`.replace(SESSION_NAME_INVALID, '-');
  return name.slice(0, SESSION_NAME_MAX);
}

/** Thrown when the role cannot be assumed; the tool runner turns it into an explained outcome. */
export class AssumeRoleError extends Error {
  override readonly name = 'AssumeRoleError';
  constructor(
    readonly roleArn: string,
    readonly sessionName: string,
    override readonly cause: unknown,
  ) {
    super(`could not assume ${roleArn} as ${sessionName}`);
  }
}

export interface AssumedRoleNotice {
  roleArn: string;
  sessionName: string;
  requestId: string | undefined;
  outcome: 'ok' | 'error';
  error?: string;
}

export interface AwsCredentialBrokerOptions {
  roleArn?: string;
  /** The bot's own credentials: signs AssumeRole, or every call when there is no role. */
  base: AwsCredentialsProvider;
  /** Region of the STS endpoint used for AssumeRole (regional endpoints; the first allowed region). */
  stsRegion: string;
  durationSeconds?: number;
  /** Fresh credentials are fetched this long before the cached ones expire. */
  refreshMarginMs?: number;
  /** Time limit of one AssumeRole call, retries included. */
  timeoutMs: number;
  maxAttempts: number;
  /** Told of every AssumeRole call, for the audit log. */
  onAssumeRole?: (notice: AssumedRoleNotice) => void;
  now?: () => number;
}

interface CachedSession {
  credentials: Promise<AwsCredentials>;
  /** Epoch ms after which the entry must not be used; Infinity while the call is in flight. */
  usableUntil: number;
}

/** Sessions kept at most; the oldest go first beyond this. */
const MAX_CACHED_SESSIONS = 500;

export class AwsCredentialBroker {
  private readonly sessions = new Map<string, CachedSession>();
  private readonly durationSeconds: number;
  private readonly refreshMarginMs: number;
  private readonly now: () => number;

  constructor(private readonly options: AwsCredentialBrokerOptions) {
    this.durationSeconds = options.durationSeconds ?? 3600;
    this.refreshMarginMs = options.refreshMarginMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  get usesRole(): boolean {
    return this.options.roleArn !== undefined;
  }

  /**
   * The credentials to sign this person's calls with. Rejects with the chain's error when the bot
   * has none, or with an AssumeRoleError. The caller's signal only stops the wait: a shared
   * AssumeRole call in flight is not cancelled for the other people waiting on it.
   */
  async credentialsFor(asker: ToolAsker, signal: AbortSignal): Promise<AwsCredentials> {
    const { roleArn } = this.options;
    if (roleArn === undefined) return abortable(this.options.base(), signal);
    const sessionName = roleSessionName(asker);
    const now = this.now();
    let cached = this.sessions.get(sessionName);
    if (!cached || cached.usableUntil <= now) {
      cached = this.assume(roleArn, sessionName);
      this.remember(sessionName, cached, now);
    }
    return abortable(cached.credentials, signal);
  }

  private assume(roleArn: string, sessionName: string): CachedSession {
    const entry: CachedSession = { credentials: this.callAssumeRole(roleArn, sessionName), usableUntil: Number.POSITIVE_INFINITY };
    entry.credentials = entry.credentials.then(
      (credentials) => {
        const expires = credentials.expiration?.getTime() ?? this.now() + this.durationSeconds * 1000;
        entry.usableUntil = expires - this.refreshMarginMs;
        return credentials;
      },
      (error: unknown) => {
        if (this.sessions.get(sessionName) === entry) this.sessions.delete(sessionName);
        throw new AssumeRoleError(roleArn, sessionName, error);
      },
    );
    // A rejection nobody awaits any more (the asker stopped) must not crash the process.
    entry.credentials.catch(() => undefined);
    return entry;
  }

  private async callAssumeRole(roleArn: string, sessionName: string): Promise<AwsCredentials> {
    const client = new STSClient({ region: this.options.stsRegion, credentials: this.options.base, maxAttempts: this.options.maxAttempts });
    try {
      const output = await client.send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: this.durationSeconds }),
        { abortSignal: AbortSignal.timeout(this.options.timeoutMs) },
      );
      const issued = output.Credentials;
      if (!issued?.AccessKeyId || !issued.SecretAccessKey) throw new Error('STS AssumeRole answered without credentials');
      this.options.onAssumeRole?.({ roleArn, sessionName, requestId: output.$metadata.requestId, outcome: 'ok' });
      return {
        accessKeyId: issued.AccessKeyId,
        secretAccessKey: issued.SecretAccessKey,
        sessionToken: issued.SessionToken,
        expiration: issued.Expiration,
      };
    } catch (error) {
      const requestId = (error as { $metadata?: { requestId?: string } } | undefined)?.$metadata?.requestId;
      this.options.onAssumeRole?.({ roleArn, sessionName, requestId, outcome: 'error', error: error instanceof Error ? error.name : String(error) });
      throw error;
    } finally {
      client.destroy();
    }
  }

  private remember(sessionName: string, entry: CachedSession, now: number): void {
    this.sessions.delete(sessionName);
    for (const [name, session] of this.sessions) {
      if (this.sessions.size < MAX_CACHED_SESSIONS && session.usableUntil > now) break;
      this.sessions.delete(name);
    }
    this.sessions.set(sessionName, entry);
  }
}
