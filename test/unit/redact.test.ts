import { describe, expect, it } from 'vitest';
import { containsSecret, redactSecrets, type SecretKind } from '../../src/core/redact.js';

// Test values are assembled from parts so that this file itself does not look like it leaks keys.
const AWS_DOCS_KEY_ID = ['AKIA', 'IOSFODNN7EXAMPLE'].join('');
const AWS_DOCS_SECRET = ['wJalrXUtnFEMI', '/K7MDENG/bPxRfiCYEXAMPLEKEY'].join('');
const SESSION_TOKEN = ['IQoJb3JpZ2lu', 'X2VjEOv//////////wEaCXVzLWVhc3QtMSJHMEUCIQD3x7Yk+abc/def=='].join('');
const OLD_SESSION_TOKEN = ['FwoGZXIvYXdzE', 'BaaDEaDH7k9Xp0ZkLmNoPqRsTuVwXyZ012345678'].join('');
const SLACK_BOT_TOKEN = ['xoxb', '123456789012', '1234567890123', 'AbCdEfGhIjKlMnOpQrStUvWx'].join('-');
const SLACK_APP_TOKEN = ['xapp', '1', 'A0123456789', '1234567890123', 'abcdef0123456789'].join('-');
const ANTHROPIC_KEY = ['sk-ant-api03', 'Zx9_aB3-cD4eF5gH6iJ7kL8mN9oP0qR1sT2uV3wX4yZ5-AbCdEf'].join('-');
const GITHUB_TOKEN = ['ghp', 'aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789'].join('_');
const PEM_KEY = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi+ZzcnV6Ly5zTPH5/d6MFHqPqc',
  'w4x9ONn7dSuCKRJ5yVYEXAMPLEBODYxxh5x1n4hR2Oa1sAbcDef+ghIJ/KLmno==',
  '-----END RSA PRIVATE KEY-----',
].join('\n');

/** No run of 6+ characters of the secret may survive (nothing "partially masked"). */
function expectNoTraceOf(text: string, secret: string): void {
  for (let i = 0; i + 6 <= secret.length; i += 1) {
    const piece = secret.slice(i, i + 6);
    expect(text, `leaked ${piece}`).not.toContain(piece);
  }
}

function expectRedacted(input: string, kind: SecretKind, secret: string): string {
  const { text, found } = redactSecrets(input);
  expect(found).toContain(kind);
  expect(text).toContain(`[REDACTED:${kind}]`);
  expectNoTraceOf(text, secret);
  return text;
}

function expectUntouched(input: string): void {
  expect(redactSecrets(input)).toEqual({ text: input, found: [] });
  expect(containsSecret(input)).toBe(false);
}

describe('redactSecrets: AWS credentials', () => {
  it('masks an access key id, including the AWS docs example (it has the real shape)', () => {
    expect(redactSecrets(`key ${AWS_DOCS_KEY_ID} here`)).toEqual({ text: 'key [REDACTED:aws_access_key_id] here', found: ['aws_access_key_id'] });
  });

  it.each(['ASIA', 'AIDA', 'AROA', 'AGPA', 'AIPA', 'ANPA', 'APKA'])('masks %s-prefixed ids', (prefix) => {
    expectRedacted(`id=${prefix}Q3EGXYZ7ABCDEFGH`, 'aws_access_key_id', `${prefix}Q3EGXYZ7ABCDEFGH`);
  });

  it('masks a credentials file and keeps the setting names', () => {
    const file = `[default]\naws_access_key_id = ${AWS_DOCS_KEY_ID}\naws_secret_access_key = ${AWS_DOCS_SECRET}\nregion = eu-west-1`;
    expect(redactSecrets(file)).toEqual({
      text: '[default]\naws_access_key_id = [REDACTED:aws_access_key_id]\naws_secret_access_key = [REDACTED:aws_secret_access_key]\nregion = eu-west-1',
      found: ['aws_access_key_id', 'aws_secret_access_key'],
    });
  });

  it.each([
    [`export AWS_SECRET_ACCESS_KEY="${AWS_DOCS_SECRET}"`, 'export AWS_SECRET_ACCESS_KEY="[REDACTED:aws_secret_access_key]"'],
    [`"SecretAccessKey": "${AWS_DOCS_SECRET}",`, '"SecretAccessKey": "[REDACTED:aws_secret_access_key]",'],
    [`<SecretAccessKey>${AWS_DOCS_SECRET}</SecretAccessKey>`, '<SecretAccessKey>[REDACTED:aws_secret_access_key]</SecretAccessKey>'],
    [`my secret key is ${AWS_DOCS_SECRET}`, 'my secret key is [REDACTED:aws_secret_access_key]'],
    [`secret: ${AWS_DOCS_SECRET}`, 'secret: [REDACTED:aws_secret_access_key]'],
    [`${AWS_DOCS_KEY_ID},${AWS_DOCS_SECRET}`, '[REDACTED:aws_access_key_id],[REDACTED:aws_secret_access_key]'],
  ])('masks a secret access key next to a hint: %s', (input, output) => {
    expect(redactSecrets(input).text).toBe(output);
  });

  it('masks session tokens by prefix and after a hint', () => {
    expectRedacted(`token: ${SESSION_TOKEN}`, 'aws_session_token', SESSION_TOKEN);
    expectRedacted(`and ${OLD_SESSION_TOKEN} too`, 'aws_session_token', OLD_SESSION_TOKEN);
    expect(redactSecrets('aws_session_token = AbCdEfGh12345678ZyXw+/==').text).toBe('aws_session_token = [REDACTED:aws_session_token]');
    expect(redactSecrets('"SessionToken": "AbCdEfGh12345678ZyXw"').text).toBe('"SessionToken": "[REDACTED:aws_session_token]"');
  });

  it('masks a whole STS assume-role response', () => {
    const response = JSON.stringify({
      Credentials: { AccessKeyId: 'ASIAQ3EGXYZ7ABCDEFGH', SecretAccessKey: AWS_DOCS_SECRET, SessionToken: SESSION_TOKEN, Expiration: '2025-01-01T00:00:00Z' },
      AssumedRoleUser: { Arn: 'arn:aws:sts::123456789012:assumed-role/deploy/ci' },
    });
    const { text, found } = redactSecrets(response);
    expect(found).toEqual(['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token']);
    expectNoTraceOf(text, AWS_DOCS_SECRET);
    expectNoTraceOf(text, SESSION_TOKEN);
    expect(text).toContain('arn:aws:sts::123456789012:assumed-role/deploy/ci');
    expect(text).toContain('2025-01-01T00:00:00Z');
  });
});

describe('redactSecrets: keys and tokens', () => {
  it('masks a PEM private key block and keeps the text around it', () => {
    expect(redactSecrets(`My key:\n${PEM_KEY}\nWhy does ssh reject it?`)).toEqual({
      text: 'My key:\n[REDACTED:private_key]\nWhy does ssh reject it?',
      found: ['private_key'],
    });
  });

  it('masks OpenSSH, EC, encrypted and PGP private keys', () => {
    for (const label of ['OPENSSH PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'PGP PRIVATE KEY BLOCK']) {
      const block = `-----BEGIN ${label}-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END ${label}-----`;
      expect(redactSecrets(block).text).toBe('[REDACTED:private_key]');
    }
  });

  it('masks a private key inside a JSON string (escaped newlines)', () => {
    const json = JSON.stringify({ private_key: PEM_KEY, client_email: 'ci@example.iam.gserviceaccount.com' });
    const { text } = redactSecrets(json);
    expect(text).toBe('{"private_key":"[REDACTED:private_key]","client_email":"ci@example.iam.gserviceaccount.com"}');
  });

  it('masks a truncated private key (no END line) up to where the base64 stops', () => {
    const truncated = PEM_KEY.split('\n').slice(0, 3).join('\n');
    expect(redactSecrets(`${truncated}\n\nIs this format right?`).text).toBe('[REDACTED:private_key]\n\nIs this format right?');
  });

  it('masks Slack tokens and webhook URLs', () => {
    expectRedacted(`SLACK_BOT_TOKEN=${SLACK_BOT_TOKEN}`, 'slack_token', SLACK_BOT_TOKEN);
    expectRedacted(`app token ${SLACK_APP_TOKEN}`, 'slack_token', SLACK_APP_TOKEN);
    expectRedacted('xoxp-1111111111-2222222222-3333333333-abcdefabcdef', 'slack_token', 'xoxp-1111111111-2222222222-3333333333-abcdefabcdef');
    expectRedacted('refresh xoxe.xoxp-1-Mi0yLTEyMzQ1Njc4OTAxMi0', 'slack_token', 'xoxe.xoxp-1-Mi0yLTEyMzQ1Njc4OTAxMi0');
    const webhook = `https://hooks.slack.com/services/${['T0123ABCD', 'B0456EFGH', 'aBcDeFgHiJkLmNoPqRsTuVwX'].join('/')}`;
    expect(redactSecrets(`post to ${webhook} now`).text).toBe('post to [REDACTED:slack_webhook_url] now');
  });

  it('masks Anthropic and GitHub keys', () => {
    expect(redactSecrets(`ANTHROPIC_API_KEY=${ANTHROPIC_KEY}`).text).toBe('ANTHROPIC_API_KEY=[REDACTED:anthropic_key]');
    expect(redactSecrets(`token ${GITHUB_TOKEN}`).text).toBe('token [REDACTED:github_token]');
  });
});

describe('redactSecrets: passwords', () => {
  it.each([
    ['DB_PASSWORD=s3cr3t!', 'DB_PASSWORD=[REDACTED:password]'],
    ['"password": "correct horse battery"', '"password": "[REDACTED:password]"'],
    ["MasterUserPassword: 'Tr0ub4dor&3'", "MasterUserPassword: '[REDACTED:password]'"],
    ['mysql --password=hunter22 -h db', 'mysql --password=[REDACTED:password] -h db'],
    ['password: hunter2', 'password: [REDACTED:password]'],
    ['postgres://admin:hunter2@db.example.com:5432/app', 'postgres://admin:[REDACTED:url_credentials]@db.example.com:5432/app'],
    ['redis://:p4ss@cache:6379', 'redis://:[REDACTED:url_credentials]@cache:6379'],
  ])('masks %s', (input, output) => {
    expect(redactSecrets(input).text).toBe(output);
  });

  it.each([
    'MasterUserPassword: !Ref DbPassword',
    'password: ${DB_PASSWORD}',
    'password=<your-password>',
    '"password": "{{resolve:secretsmanager:prod/db:SecretString:password}}"',
    'The password: must be at least eight characters long.',
    'Reset the password in the console.',
    'NoEcho: true # for the DBPassword parameter',
  ])('leaves references, placeholders and prose alone: %s', (input) => {
    expectUntouched(input);
  });
});

describe('redactSecrets near-misses (must NOT be masked)', () => {
  it.each([
    ['a git SHA', 'Fixed in commit 3f786850e387550fdab836ed7e6dc881de23001b on main.'],
    ['a git SHA after a hint word', 'secret = 3f786850e387550fdab836ed7e6dc881de23001b'],
    ['an ARN', 'Assume arn:aws:iam::123456789012:role/x and arn:aws:s3:::my-bucket/*'],
    ['AKIA inside a longer word', `X${AWS_DOCS_KEY_ID} and ${AWS_DOCS_KEY_ID}X and ${AWS_DOCS_KEY_ID.toLowerCase()}`],
    ['the docs text around the example key', 'In the examples, AWS uses placeholder credentials such as the ones shown below.'],
    ['a UUID', 'Request id 3fa85f64-5717-4562-b3fc-2c963f66afa6 failed.'],
    ['a base64 image fragment', 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='],
    ['an S3 ETag', 'ETag: "d41d8cd98f00b204e9800998ecf8427e" and multipart "9b2cf535f27731c974343645a3985328-5"'],
    ['a 40-char camelCase identifier after secret', 'secret: SecretsManagerRotationLambdaFunctionName'],
    ['an account id and a KMS key id', 'Account 123456789012, key 1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['an AWS docs URL', 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definitions.html'],
    ['a CloudFormation secret reference', 'SecretString: "{{resolve:secretsmanager:MySecret:SecretString:password}}"'],
    ['a SHA-256 digest', 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
  ])('%s', (_label, input) => {
    expectUntouched(input);
  });
});

describe('redactSecrets: shapes of AWS keys in CLI output and prose', () => {
  it('masks `aws configure` prompts, first run and re-run, and keeps the prompts', () => {
    const firstRun = [
      `AWS Access Key ID [None]: ${AWS_DOCS_KEY_ID}`,
      `AWS Secret Access Key [None]: ${AWS_DOCS_SECRET}`,
      'Default region name [None]: eu-west-1',
      'Default output format [None]: json',
    ].join('\n');
    expect(redactSecrets(firstRun)).toEqual({
      text: [
        'AWS Access Key ID [None]: [REDACTED:aws_access_key_id]',
        'AWS Secret Access Key [None]: [REDACTED:aws_secret_access_key]',
        'Default region name [None]: eu-west-1',
        'Default output format [None]: json',
      ].join('\n'),
      found: ['aws_access_key_id', 'aws_secret_access_key'],
    });
    const reRun = `AWS Access Key ID [****************MPLE]: ${AWS_DOCS_KEY_ID}\nAWS Secret Access Key [****************EKEY]: ${AWS_DOCS_SECRET}`;
    expect(redactSecrets(reRun).text).toBe(
      'AWS Access Key ID [****************MPLE]: [REDACTED:aws_access_key_id]\nAWS Secret Access Key [****************EKEY]: [REDACTED:aws_secret_access_key]',
    );
  });

  it('masks the value `aws configure get` prints on the next line', () => {
    expect(redactSecrets(`$ aws configure get aws_secret_access_key\n${AWS_DOCS_SECRET}\n$`).text).toBe(
      '$ aws configure get aws_secret_access_key\n[REDACTED:aws_secret_access_key]\n$',
    );
  });

  it.each([
    [`my secret access key is ${AWS_DOCS_SECRET}`, 'my secret access key is [REDACTED:aws_secret_access_key]'],
    [`My AWS Secret Access Key was ${AWS_DOCS_SECRET}.`, 'My AWS Secret Access Key was [REDACTED:aws_secret_access_key].'],
    [`aws configure set aws_secret_access_key ${AWS_DOCS_SECRET}`, 'aws configure set aws_secret_access_key [REDACTED:aws_secret_access_key]'],
    [`--secret-access-key ${AWS_DOCS_SECRET} --region eu-west-1`, '--secret-access-key [REDACTED:aws_secret_access_key] --region eu-west-1'],
    [`{ secretAccessKey: '${AWS_DOCS_SECRET}' }`, "{ secretAccessKey: '[REDACTED:aws_secret_access_key]' }"],
  ])('masks a secret key after a hint in prose or code: %s', (input, output) => {
    expect(redactSecrets(input).text).toBe(output);
  });

  it.each([
    [`${AWS_DOCS_KEY_ID} and the secret is ${AWS_DOCS_SECRET}`, '[REDACTED:aws_access_key_id] and the secret is [REDACTED:aws_secret_access_key]'],
    [`key ${AWS_DOCS_KEY_ID} secret ${AWS_DOCS_SECRET}`, 'key [REDACTED:aws_access_key_id] secret [REDACTED:aws_secret_access_key]'],
    [`${AWS_DOCS_KEY_ID} / ${AWS_DOCS_SECRET}`, '[REDACTED:aws_access_key_id] / [REDACTED:aws_secret_access_key]'],
    [`creds: ${AWS_DOCS_KEY_ID} and ${AWS_DOCS_SECRET}, region eu-west-1`, 'creds: [REDACTED:aws_access_key_id] and [REDACTED:aws_secret_access_key], region eu-west-1'],
    [`\`${AWS_DOCS_KEY_ID}\` with \`${AWS_DOCS_SECRET}\``, '`[REDACTED:aws_access_key_id]` with `[REDACTED:aws_secret_access_key]`'],
    [`Access key ID,Secret access key\n${AWS_DOCS_KEY_ID},${AWS_DOCS_SECRET}`, 'Access key ID,Secret access key\n[REDACTED:aws_access_key_id],[REDACTED:aws_secret_access_key]'],
  ])('masks a secret key that follows an access key id on the same line: %s', (input, output) => {
    expect(redactSecrets(input)).toEqual({ text: output, found: ['aws_access_key_id', 'aws_secret_access_key'] });
  });

  it('masks a session token named in prose', () => {
    expect(redactSecrets('my session token is AbCdEfGh12345678ZyXw+/==').text).toBe('my session token is [REDACTED:aws_session_token]');
  });

  it('is idempotent on the new shapes', () => {
    const input = `AWS Secret Access Key [None]: ${AWS_DOCS_SECRET}\nkey ${AWS_DOCS_KEY_ID} and ${AWS_DOCS_SECRET}\nmy secret access key is ${AWS_DOCS_SECRET}`;
    const once = redactSecrets(input).text;
    expectNoTraceOf(once, AWS_DOCS_SECRET);
    expect(redactSecrets(once)).toEqual({ text: once, found: [] });
  });
});

describe('redactSecrets near-misses around AWS keys (must NOT be masked)', () => {
  it.each([
    ['configure instructions', 'Run aws configure and enter your access key ID and secret access key when prompted.'],
    ['a secret access key explanation', 'The secret access key is shown only once, when you create the access key.'],
    ['an empty configure prompt', 'AWS Secret Access Key [****************EKEY]: \nDefault region name [us-east-1]: '],
    ['a secret ARN after a hint', 'secret: arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf'],
    ['a UUID after a hint', 'secret id 3fa85f64-5717-4562-b3fc-2c963f66afa6'],
    ['a commit hash after a hint, on the next line', 'secret key rotated in\n3f786850e387550fdab836ed7e6dc881de23001b'],
    ['an API name after a session token hint', 'SessionToken: AssumeRoleWithWebIdentity'],
    ['a CLI command', 'aws sts get-session-token --duration-seconds 3600 --serial-number arn:aws:iam::123456789012:mfa/alice'],
    ['the STS service name', 'The AWS Security Token Service (STS) issues temporary credentials.'],
  ])('%s', (_label, input) => {
    expectUntouched(input);
  });

  it('masks only the access key id when ARNs, hashes and UUIDs follow it', () => {
    const input = `key ${AWS_DOCS_KEY_ID} belongs to arn:aws:iam::123456789012:user/ci-deployer, commit 3f786850e387550fdab836ed7e6dc881de23001b, request 3fa85f64-5717-4562-b3fc-2c963f66afa6`;
    expect(redactSecrets(input)).toEqual({ text: input.replace(AWS_DOCS_KEY_ID, '[REDACTED:aws_access_key_id]'), found: ['aws_access_key_id'] });
  });
});

describe('redactSecrets behaviour', () => {
  it('reports each kind once, in table order', () => {
    const { found } = redactSecrets(`${SLACK_BOT_TOKEN} ${AWS_DOCS_KEY_ID} ${SLACK_BOT_TOKEN} ASIAQ3EGXYZ7ABCDEFGH`);
    expect(found).toEqual(['aws_access_key_id', 'slack_token']);
  });

  it('is idempotent', () => {
    const input = `aws_secret_access_key=${AWS_DOCS_SECRET}\npassword=hunter22\n${PEM_KEY}\n${SLACK_BOT_TOKEN}`;
    const once = redactSecrets(input).text;
    expect(redactSecrets(once)).toEqual({ text: once, found: [] });
  });

  it('returns text without secrets unchanged', () => {
    expectUntouched('How do I give my ECS task access to S3? I use Fargate in eu-west-1.');
    expectUntouched('');
  });

  it('containsSecret agrees with redactSecrets', () => {
    expect(containsSecret(`please debug ${SLACK_BOT_TOKEN}`)).toBe(true);
    expect(containsSecret('please debug my task role')).toBe(false);
  });

  it('keeps the right parts of a large mixed text (linear work on such texts: redact-hostile.test.ts)', () => {
    const text = [
      'secret = '.repeat(2000),
      'A'.repeat(50_000),
      '-----BEGIN RSA PRIVATE KEY-----',
      'x '.repeat(20_000),
      'a.'.repeat(20_000),
      'a_'.repeat(20_000),
      'https://'.repeat(5_000),
    ].join(' ');
    const { text: redacted, found } = redactSecrets(text);
    expect(found).toEqual(['private_key']);
    expect(redacted).toBe(text.replace('-----BEGIN RSA PRIVATE KEY-----', '[REDACTED:private_key]'));
  });
});
