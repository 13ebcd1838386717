/**
 * Masks credentials in text before it reaches the model or a log line: a user pasting their
 * `~/.aws/credentials`, a CLI output with a session token, a Slack token in an error message.
 *
 * Every detector lives in one table below (order matters, see the table). A match is replaced by
 * `[REDACTED:<kind>]`; no character of the secret is kept, not even a prefix or suffix hint, so a
 * redacted text is safe to store. Hint words around a secret (`aws_secret_access_key = `) are
 * kept, so the text still reads sensibly. Redacting already redacted text changes nothing.
 *
 * Pure: no I/O, no mutable state (the table's regular expressions are only used through
 * String.prototype.replace, which resets their lastIndex).
 *
 * Linear time on any input, because text from Slack is attacker-controlled and is masked on the
 * listener's hot path. Every pattern keeps three rules: (1) no two quantifiers can trade the same
 * characters (two runs of blanks are always split by a character neither may hold), so one attempt
 * never backtracks more than the length it read; (2) no pattern starts with an unbounded
 * quantifier; (3) where an unbounded quantifier can still be rejected by what follows it (a hint
 * gap before its value, a URL password before `@`, a quoted password before its closing quote, a
 * PEM body before its END line), it cannot read what starts another attempt (a hint word's
 * letters, the `/` of `://`, a quote, a five-dash run), so the stretches read from different start
 * positions do not overlap. Everything else is bounded or ends the match. Replacements are at most
 * a bounded factor longer than what they replace, so the whole table stays linear.
 * test/unit/redact-hostile.test.ts checks (1) and (2) with eslint-plugin-regexp, and counts each
 * pattern's matching steps on adversarial text (which also covers (3)).
 *
 * Deliberately NOT masked (near-misses with a secret-like shape): git SHAs and other hex digests
 * (40 hex characters are never an AWS secret key, whose base64 alphabet mixes cases), ARNs and
 * 12-digit account ids (identifiers, not credentials), UUIDs, S3 ETags, and long base64 blobs
 * without a hint word (images, certificates' public parts).
 */

export type SecretKind =
  | 'private_key'
  | 'aws_access_key_id'
  | 'aws_secret_access_key'
  | 'aws_session_token'
  | 'slack_token'
  | 'slack_webhook_url'
  | 'anthropic_key'
  | 'github_token'
  | 'url_credentials'
  | 'password';

export interface RedactionResult {
  text: string;
  /** Each kind found, once, in table order. */
  found: SecretKind[];
}

interface SecretDetector {
  kind: SecretKind;
  /**
   * Global regex. With a named group `secret`, only that group is replaced and everything before
   * it in the match (the hint) is kept; the group must end the match (trailing context belongs in
   * a lookahead). Without it, the whole match is the secret.
   */
  pattern: RegExp;
  /** Extra check on the secret (and the whole match), for what a regex cannot express well. */
  accept?: (secret: string, match: string) => boolean;
}

const REDACTED_PREFIX = '[REDACTED:';

/** Characters of base64 (standard alphabet), for patterns with the `i` flag. */
const B64 = 'a-z0-9/+';

/**
 * Separator between a hint word and its value: an optional closing quote of a key; the current
 * value `aws configure` prints in brackets (`[None]`, `[****************ABCD]`); `=`, `:`, `=>`,
 * `,` (CSV), `>` (XML tag) or the word "is"/"was"; one line break (`aws configure get
 * aws_secret_access_key` prints the value on the next line); an optional opening quote.
 * Each run of blanks after the first follows a `]`, a separator or the line break, characters no
 * run can hold, so there is one way to split the gap (two runs side by side, as before, made a hint
 * followed by many blanks and no value quadratic). `\r` belongs to the blanks, so the line break
 * is a bare `\n`.
 */
const HINT_GAP = String.raw`["'\x60]?[^\S\n]*(?:\[[^\]\n]{0,40}\][^\S\n]*)?(?:(?:=>|[:=,>]|\b(?:is|was)\b)[^\S\n]*)?(?:\n[^\S\n]*)?["'\x60]?`;

/** How far after an access key id, on the same line, a hint-less secret key is still taken as its pair. */
const KEY_PAIR_WINDOW = 80;

/**
 * The AWS secret access key: 40 characters of base64. Real keys are random, so they mix upper
 * and lower case and hold a digit, `/` or `+`; requiring that keeps git SHAs (hex), words and
 * camelCase identifiers out.
 */
function looksLikeAwsSecretKey(value: string): boolean {
  return /[A-Z]/.test(value) && /[a-z]/.test(value) && /[0-9/+]/.test(value) && !/^[0-9a-f]+$/i.test(value);
}

/**
 * A session token is hundreds of random base64 characters: it holds a digit, `/`, `+` or padding,
 * where an API or type name after the hint ("SessionToken: AssumeRoleWithWebIdentity") does not.
 */
function looksLikeSessionToken(value: string): boolean {
  return /[0-9/+=]/.test(value);
}

/** Values that are references or placeholders, not passwords: `${DB_PASS}`, `<your-password>`, `!Ref DbPassword`. */
function looksLikeRealPassword(value: string): boolean {
  return !/^(?:[$<{!%*]|\[REDACTED:)/.test(value) && !/^(?:null|none|undefined|true|false|required|string)$/i.test(value);
}

/**
 * Unquoted values: `password=x` is always an assignment, but after a colon a plain word is more
 * likely prose ("password: must be 8+ characters") than a secret, so it needs a digit or symbol.
 */
function looksLikeUnquotedPassword(value: string, match: string): boolean {
  if (!looksLikeRealPassword(value)) return false;
  const isAssignment = /=[^\S\n]*$/.test(match.slice(0, match.length - value.length));
  return isAssignment || /[^a-z]/i.test(value);
}

/**
 * Order matters: a PEM block first (its base64 body would otherwise feed other detectors), access
 * key ids before secret keys (so a redacted id can serve as the hint for the secret that follows
 * it in a credentials CSV or a sentence), tokens before generic password assignments.
 */
const DETECTORS: readonly SecretDetector[] = Object.freeze([
  {
    // PEM/OpenSSH/PGP private key, BEGIN to END: RSA, EC, DSA, ENCRYPTED, OPENSSH, "PGP ... BLOCK".
    // Also inside JSON strings, where the newlines are literal `\n`. The body cannot run over a
    // five-dash run, so a BEGIN without its END is read only up to the next `-----` (the next
    // BEGIN), not to the end of the text for each BEGIN.
    kind: 'private_key',
    pattern: /-----BEGIN [A-Z0-9 ]{0,30}PRIVATE KEY(?: BLOCK)?-----(?:[^-]|-{1,4}(?!-))*-----END [A-Z0-9 ]{0,30}PRIVATE KEY(?: BLOCK)?-----/g,
  },
  {
    // A private key pasted without its END line: the BEGIN line, header lines (Proc-Type: …) and
    // the lines after it that are entirely base64 (real or JSON-escaped `\n` line breaks). Prose
    // after the body is kept.
    kind: 'private_key',
    pattern: /-----BEGIN [A-Z0-9 ]{0,30}PRIVATE KEY(?: BLOCK)?-----(?:(?:\r?\n|\\n)(?:[A-Za-z0-9+/=]+|[A-Za-z-]+: [^\n\\]*)(?=\r?\n|\\n|$))*/g,
  },
  {
    // AWS access key ids: 4-letter type prefix + 16 upper-case alphanumerics, not part of a longer
    // word. AKIA = IAM user key, ASIA = temporary (STS) key; AIDA/AROA/AGPA/AIPA/ANPA/ANVA/APKA/
    // ABIA/ACCA are user/role/group/profile/policy/... unique ids that share the shape.
    // The AWS docs' example key AKIAIOSFODNN7EXAMPLE is masked too: it has the real shape, and a
    // detector that trusted the word EXAMPLE would let `AKIA...EXAMPLE`-looking real keys through.
    kind: 'aws_access_key_id',
    pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA|AIDA|AROA|AGPA|AIPA|ANPA|ANVA|APKA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
  },
  {
    // AWS secret access key after a hint: aws_secret_access_key / SecretAccessKey / --secret-access-key /
    // "Secret Access Key [None]:" (aws configure) / "secret access key is" / secret key / secret.
    kind: 'aws_secret_access_key',
    pattern: new RegExp(
      String.raw`(?<hint>secret(?:[_ -]?(?:access[_ -]?)?key)?(?![a-z0-9])${HINT_GAP})(?<secret>[${B64}]{40})(?![${B64}=])`,
      'gi',
    ),
    accept: looksLikeAwsSecretKey,
  },
  {
    // A secret key on the same line shortly after a (just redacted) access key id, hint word or
    // not: credentials CSV `AKIA…,wJalr…`, `AKIA… / wJalr…`, "key AKIA… and wJalr…".
    kind: 'aws_secret_access_key',
    pattern: new RegExp(
      String.raw`(?<hint>\[REDACTED:aws_access_key_id\][^\n]{0,${KEY_PAIR_WINDOW}}?)(?<![${B64}])(?<secret>[${B64}]{40})(?![${B64}=])`,
      'gi',
    ),
    accept: looksLikeAwsSecretKey,
  },
  {
    // STS session tokens by their fixed base64 prefixes (they decode to a protobuf-ish header):
    // FwoGZXIvYXdzE / FQoGZXIvYXdzE (older), IQoJb3JpZ2lu (current, "origin"), AQoDYXdzE (oldest).
    kind: 'aws_session_token',
    pattern: /(?<![A-Za-z0-9/+])(?:FwoGZXIvYXdzE|FQoGZXIvYXdzE|IQoJb3JpZ2lu|AQoDYXdzE)[A-Za-z0-9/+=]{20,}/g,
  },
  {
    // Any value after aws_session_token / SessionToken / aws_security_token / "session token":
    // at least 16 base64 chars.
    kind: 'aws_session_token',
    pattern: new RegExp(String.raw`(?<hint>(?:session|security)[_ -]?token(?![a-z0-9])${HINT_GAP})(?<secret>[${B64}]{16,}={0,2})`, 'gi'),
    accept: looksLikeSessionToken,
  },
  {
    // Slack bot/user/app-level/legacy/config tokens: xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxo-,
    // xoxe- (refresh), xoxe.xoxp- (rotating), xapp- (app-level, Socket Mode).
    kind: 'slack_token',
    pattern: /(?<![A-Za-z0-9])(?:xox[abposre](?:\.xox[bp])?|xapp)-[A-Za-z0-9-]{10,}/g,
  },
  {
    // Incoming-webhook URLs carry their secret in the path.
    kind: 'slack_webhook_url',
    pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[\w/-]+/g,
  },
  {
    // Anthropic API and admin keys: sk-ant-api03-…, sk-ant-admin01-….
    kind: 'anthropic_key',
    pattern: /(?<![A-Za-z0-9])sk-ant-[\w-]{20,}/g,
  },
  {
    // GitHub personal/OAuth/app tokens (ghp_, gho_, ghu_, ghs_, ghr_) and fine-grained github_pat_.
    kind: 'github_token',
    pattern: /(?<![A-Za-z0-9])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_\w{22,})/g,
  },
  {
    // Password inside a URL: postgres://user:PASSWORD@host, redis://:PASSWORD@host.
    kind: 'url_credentials',
    // The scheme stays out of the match (one start per `://`, not one per word boundary before it).
    pattern: /(?<hint>(?<=[a-z0-9+.-]):\/\/[^\s:/@]{0,100}:)(?<secret>[^\s@/]+)(?=@)/gi,
  },
  {
    // Quoted password assignment: "password": "correct horse", DB_PASSWORD='…', MasterUserPassword: "…".
    // The key's prefix (DB_, MasterUser) stays out of the match: it is kept anyway, and matching it
    // would read the value again from every `_` or letter before the word.
    // Decision: password-like keys are masked (a pasted config or connection snippet is the likely
    // leak); references and placeholders (${VAR}, <your-password>, !Ref X) are not.
    kind: 'password',
    pattern: /(?<hint>(?:password|passwd|passphrase)["']?[^\S\n]*[:=][^\S\n]*(?<quote>["']))(?<secret>[^\n"']+)(?=\k<quote>)/gi,
    accept: looksLikeRealPassword,
  },
  {
    // Unquoted password assignment: password=hunter2, PGPASSWORD=…, --password=…, password: hunter2.
    kind: 'password',
    pattern: /(?<hint>(?:password|passwd|passphrase)[^\S\n]*[:=][^\S\n]*)(?<secret>[^\s"',;]{3,})/gi,
    accept: looksLikeUnquotedPassword,
  },
]);

/**
 * Every detector's regular expression, in table order, as source and flags (not the RegExp
 * objects, whose lastIndex is state): for checks that prove the patterns linear.
 */
export const SECRET_PATTERNS: readonly Readonly<{ kind: SecretKind; source: string; flags: string }>[] = Object.freeze(
  DETECTORS.map((detector) => Object.freeze({ kind: detector.kind, source: detector.pattern.source, flags: detector.pattern.flags })),
);

/** Masks every secret the detector table finds. */
export function redactSecrets(text: string): RedactionResult {
  const found = new Set<SecretKind>();
  let redacted = text;
  for (const detector of DETECTORS) {
    redacted = redacted.replace(detector.pattern, (...args: unknown[]) => {
      const match = args[0] as string;
      const groups = args[args.length - 1] as Record<string, string | undefined> | undefined;
      const replacement = maskMatch(detector, match, typeof groups === 'object' ? groups : undefined);
      if (replacement !== match) found.add(detector.kind);
      return replacement;
    });
  }
  return { text: redacted, found: [...found] };
}

/** Whether the text holds anything `redactSecrets` would mask. */
export function containsSecret(text: string): boolean {
  return redactSecrets(text).found.length > 0;
}

function maskMatch(detector: SecretDetector, match: string, groups: Record<string, string | undefined> | undefined): string {
  const secret = groups?.secret ?? match;
  if (secret.startsWith(REDACTED_PREFIX)) return match;
  if (detector.accept && !detector.accept(secret, match)) return match;
  const hint = groups?.secret !== undefined ? match.slice(0, match.length - secret.length) : '';
  return `${hint}${REDACTED_PREFIX}${detector.kind}]`;
}
