/**
 * The account tools can only read: every operation they may send is a read, the IAM policy grants
 * exactly those, and no source file of the tools imports an SDK command outside that list.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ASSUME_ROLE_OPERATION, AWS_READ_OPERATIONS, requiredIamActions } from '../../src/tools/aws/operations.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const READ_PREFIX = /^(?:Describe|List|Get|Filter)[A-Z]/;

interface PolicyStatement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  NotAction?: unknown;
}

const policy = JSON.parse(readFileSync(`${root}deploy/iam-readonly-policy.json`, 'utf8')) as { Version: string; Statement: PolicyStatement[] };

describe('the account operations', () => {
  it('are all reads, in the API and in IAM', () => {
    expect(AWS_READ_OPERATIONS.length).toBeGreaterThan(10);
    for (const operation of AWS_READ_OPERATIONS) {
      expect(operation.action, `${operation.service}:${operation.action}`).toMatch(READ_PREFIX);
      if (operation.iamAction !== undefined) {
        const [service, action] = operation.iamAction.split(':');
        expect(service).toBe(operation.service);
        expect(action, operation.iamAction).toMatch(READ_PREFIX);
      }
    }
  });

  it('are granted by the policy file, exactly, and nothing else is', () => {
    expect(policy.Version).toBe('2012-10-17');
    const actions = policy.Statement.flatMap((statement) => {
      expect(statement.Effect).toBe('Allow');
      expect(statement.NotAction).toBeUndefined();
      return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
    });
    for (const action of actions) expect(action, 'no wildcards').not.toContain('*');
    expect([...actions].sort()).toEqual(requiredIamActions());
    // GetCallerIdentity needs no permission: IAM cannot deny it.
    expect(actions).not.toContain('sts:GetCallerIdentity');
    expect(requiredIamActions()).toHaveLength(AWS_READ_OPERATIONS.length - 1);
  });

  it('are the only SDK commands the tools import', () => {
    const folder = `${root}src/tools/aws/`;
    const allowed = new Set<string>([...AWS_READ_OPERATIONS.map((operation) => `${operation.action}Command`), `${ASSUME_ROLE_OPERATION.action}Command`]);
    const imported: string[] = [];
    for (const file of readdirSync(folder).filter((name) => name.endsWith('.ts'))) {
      const source = readFileSync(`${folder}${file}`, 'utf8');
      for (const match of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-[a-z0-9-]+'/g)) {
        for (const name of (match[1] ?? '').split(',').map((part) => part.trim().replace(/^type\s+/, ''))) {
          if (name.endsWith('Command')) imported.push(`${file}: ${name}`);
          if (name.endsWith('Command')) expect(allowed.has(name), `${file} imports ${name}`).toBe(true);
        }
      }
      // A namespace or dynamic import would hide which commands are used.
      expect(source, file).not.toMatch(/import\s*\*\s*as\s+\w+\s+from\s*'@aws-sdk\/client-|import\(\s*'@aws-sdk\/client-/);
      // A client's aggregated class (e.g. `ECS`) exposes every operation, writes included.
      expect(source, file).not.toMatch(/import\s*\{[^}]*\b(?:ECS|EC2|Lambda|CloudWatch|CloudWatchLogs|CloudFormation|RDS|S3|CostExplorer|STS)\b[^}]*\}\s*from\s*'@aws-sdk/);
    }
    expect(imported.length).toBeGreaterThanOrEqual(AWS_READ_OPERATIONS.length);
    // AssumeRole is only for the credentials, never for a tool.
    expect(imported.filter((entry) => entry.endsWith('AssumeRoleCommand'))).toEqual(['credentials.ts: AssumeRoleCommand']);
  });
});
