import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { isAwsRegionName } from '../../src/core/aws-names.js';
import { DEFAULT_AWS_DOCS_MCP_URL } from '../../src/core/mcp-servers.js';
import { MINIMAL_ENV, configProblems } from '../support/config.js';

describe('documentation look-ups and team MCP servers', () => {
  it('use the public AWS Knowledge server by default, another URL when given, none when off', () => {
    expect(loadConfig(MINIMAL_ENV).tools.docsMcpUrl).toBe(DEFAULT_AWS_DOCS_MCP_URL);
    expect(DEFAULT_AWS_DOCS_MCP_URL).toBe('https://knowledge-mcp.global.api.aws');
    expect(loadConfig({ ...MINIMAL_ENV, AWS_DOCS_MCP_URL: 'http://127.0.0.1:8123/mcp' }).tools.docsMcpUrl).toBe('http://127.0.0.1:8123/mcp');
    expect(loadConfig({ ...MINIMAL_ENV, AWS_DOCS_MCP_URL: 'off' }).tools.docsMcpUrl).toBe('off');
    expect(configProblems({ AWS_DOCS_MCP_URL: 'knowledge-mcp.global.api.aws' })).toEqual([expect.stringMatching(/^AWS_DOCS_MCP_URL /)]);
  });

  it('read a list of team servers', () => {
    const json = JSON.stringify([
      { name: 'runbooks', url: 'https://mcp.internal.example.com/mcp', headers: { Authorization: 'Bearer abc' }, allowedTools: ['search_runbooks'], reuseSeconds: 300 },
      { name: 'wiki', url: 'http://10.0.0.5:8080/' },
    ]);
    expect(loadConfig({ ...MINIMAL_ENV, MCP_SERVERS: json }).tools.teamServers).toEqual([
      { name: 'runbooks', url: 'https://mcp.internal.example.com/mcp', headers: { Authorization: 'Bearer abc' }, allowedTools: ['search_runbooks'], reuseSeconds: 300 },
      { name: 'wiki', url: 'http://10.0.0.5:8080/' },
    ]);
    expect(loadConfig({ ...MINIMAL_ENV, MCP_SERVERS: '' }).tools.teamServers).toEqual([]);
  });

  it('report JSON that does not parse, or is not a list', () => {
    expect(configProblems({ MCP_SERVERS: '[{"name":' })).toEqual(['MCP_SERVERS is not valid JSON (expected a list such as [{"name":"runbooks","url":"https://…"}])']);
    expect(configProblems({ MCP_SERVERS: '{"name":"wiki","url":"https://x"}' })).toEqual(['MCP_SERVERS must be a JSON list of servers, e.g. [{"name":"runbooks","url":"https://…"}]']);
  });

  it('name the entry and field of every problem, all at once', () => {
    const json = JSON.stringify([
      { name: 'ok', url: 'https://ok.example.com' },
      { url: 'https://a.example.com' },
      { name: 'bad name!', url: 'mailto:x@example.com' },
      { name: 'x', url: 'https://x.example.com', allowed_tools: ['a'] },
      { name: 'y', url: 'https://y.example.com', allowedTools: [], reuseSeconds: -1 },
      'just a string',
    ]);
    expect(configProblems({ MCP_SERVERS: json })).toEqual([
      'MCP_SERVERS[1].name is required: a short name, the prefix of its tool names',
      'MCP_SERVERS[2].name must be 1 to 20 letters, digits, "_" or "-"',
      'MCP_SERVERS[2].url must be an http:// or https:// URL',
      'MCP_SERVERS[3] has unknown fields "allowed_tools" (known: name, url, headers, allowedTools, reuseSeconds)',
      'MCP_SERVERS[4].allowedTools must name at least one tool (leave it out to allow every tool)',
      'MCP_SERVERS[4].reuseSeconds must be at least 0',
      'MCP_SERVERS[5] must be an object {name, url, headers?, allowedTools?, reuseSeconds?}',
    ]);
  });

  it("report duplicate names, including the AWS docs server's own", () => {
    const json = JSON.stringify([
      { name: 'wiki', url: 'https://a.example.com' },
      { name: 'wiki', url: 'https://b.example.com' },
      { name: 'aws_docs', url: 'https://c.example.com' },
    ]);
    expect(configProblems({ MCP_SERVERS: json })).toEqual([
      'MCP_SERVERS[1].name "wiki" is used twice: names must be unique',
      'MCP_SERVERS[2].name "aws_docs" is used twice (it is the AWS documentation server\'s name): names must be unique',
    ]);
  });

  it('never repeat a header value in a problem (they hold credentials)', () => {
    const secret = 'Bearer s3cr3t-t0ken-value';
    const json = JSON.stringify([
      { name: 'a', url: 'https://a.example.com', headers: { 'Bad Header': secret } },
      { name: 'b', url: 'https://b.example.com', headers: { Authorization: `${secret}\r\nX-Injected: 1` } },
      { name: 'c', url: 'https://c.example.com', headers: { Authorization: 42 } },
    ]);
    const problems = configProblems({ MCP_SERVERS: json });
    expect(problems).toEqual([
      'MCP_SERVERS[0].headers.Bad Header is not a valid HTTP header name',
      'MCP_SERVERS[1].headers.Authorization must not contain line breaks',
      'MCP_SERVERS[2].headers.Authorization must be a string',
    ]);
    for (const problem of problems) expect(problem).not.toContain('s3cr3t');
  });
});

describe("access to the team's own AWS account", () => {
  it('is off by default and needs nothing else then', () => {
    expect(loadConfig(MINIMAL_ENV).tools).toMatchObject({ accountAccess: false, accountRoleArn: undefined, accountChannels: [], accountRegions: [] });
  });

  it('reads every setting when on', () => {
    const config = loadConfig({
      ...MINIMAL_ENV,
      AWS_ACCOUNT_ACCESS: 'on',
      AWS_ACCOUNT_ROLE_ARN: 'arn:aws:iam::123456789012:role/aws-orchestrator-readonly',
      AWS_ACCOUNT_CHANNELS: ' C0123ABCD, DM ,g0456efgh',
      AWS_ACCOUNT_REGIONS: 'eu-west-1, us-east-1',
    });
    expect(config.tools).toMatchObject({
      accountAccess: true,
      accountRoleArn: 'arn:aws:iam::123456789012:role/aws-orchestrator-readonly',
      accountChannels: ['C0123ABCD', 'dm', 'G0456EFGH'],
      accountRegions: ['eu-west-1', 'us-east-1'],
    });
  });

  it('falls back to AWS_REGION, then AWS_DEFAULT_REGION, for the regions', () => {
    const on = { AWS_ACCOUNT_ACCESS: 'on', AWS_ACCOUNT_CHANNELS: 'dm' };
    expect(loadConfig({ ...MINIMAL_ENV, ...on, AWS_REGION: 'eu-central-1', AWS_DEFAULT_REGION: 'us-west-2' }).tools.accountRegions).toEqual(['eu-central-1']);
    expect(loadConfig({ ...MINIMAL_ENV, ...on, AWS_DEFAULT_REGION: 'us-west-2' }).tools.accountRegions).toEqual(['us-west-2']);
    // Checked like AWS_ACCOUNT_REGIONS itself, at start-up, naming the variable it came from.
    expect(configProblems({ ...on, AWS_REGION: 'EU-WEST-1' })).toEqual([expect.stringMatching(/^AWS_ACCOUNT_REGIONS is unset and AWS_REGION \("EU-WEST-1"\)/)]);
    expect(configProblems({ AWS_REGION: 'EU-WEST-1' })).toEqual([]);
  });

  it('lists every problem, naming the variable', () => {
    const problems = configProblems({ AWS_ACCOUNT_ACCESS: 'maybe', AWS_ACCOUNT_ROLE_ARN: 'arn:aws:iam::123:user/someone', AWS_ACCOUNT_CHANNELS: 'C0123ABCD,#general', AWS_ACCOUNT_REGIONS: 'eu-west-1,Ireland' });
    expect(problems).toEqual([
      expect.stringMatching(/^AWS_ACCOUNT_ACCESS must be on or off/),
      expect.stringMatching(/^AWS_ACCOUNT_ROLE_ARN must be an IAM role ARN/),
      expect.stringMatching(/^AWS_ACCOUNT_CHANNELS lists something that is neither a channel id/),
      expect.stringMatching(/^AWS_ACCOUNT_REGIONS lists something that is not a region name/),
    ]);
  });

  it('requires channels and regions when on', () => {
    expect(configProblems({ AWS_ACCOUNT_ACCESS: 'on' })).toEqual([expect.stringMatching(/needs AWS_ACCOUNT_CHANNELS/), expect.stringMatching(/needs AWS_ACCOUNT_REGIONS/)]);
  });
});

describe('isAwsRegionName', () => {
  it('accepts the partitions and rejects other words', () => {
    for (const region of ['eu-west-1', 'us-east-1', 'ap-southeast-7', 'us-gov-west-1', 'cn-northwest-1', 'us-isob-east-1', 'eusc-de-east-1', 'il-central-1']) {
      expect(isAwsRegionName(region), region).toBe(true);
    }
    for (const word of ['', 'eu-west', 'EU-WEST-1', 'global', 'eu-west-1a', 'us-east-1 ', 'aws-global']) {
      expect(isAwsRegionName(word), word).toBe(false);
    }
  });
});
