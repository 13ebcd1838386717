import { describe, expect, it } from 'vitest';
import { AWS_DOCS_SERVER_NAME, DEFAULT_AWS_DOCS_MCP_URL, parseMcpServerSettings } from '../../src/tools/mcp/settings.js';

describe('parseMcpServerSettings: AWS_DOCS_MCP_URL', () => {
  it('uses the public AWS Knowledge server when unset or empty', () => {
    const expected = { servers: [{ name: AWS_DOCS_SERVER_NAME, url: DEFAULT_AWS_DOCS_MCP_URL, kind: 'aws-knowledge' }], problems: [] };
    expect(parseMcpServerSettings({})).toEqual(expected);
    expect(parseMcpServerSettings({ AWS_DOCS_MCP_URL: '  ' })).toEqual(expected);
    expect(DEFAULT_AWS_DOCS_MCP_URL).toBe('https://knowledge-mcp.global.api.aws');
  });

  it('takes another URL (a proxy, a test fake)', () => {
    expect(parseMcpServerSettings({ AWS_DOCS_MCP_URL: 'http://127.0.0.1:8123/mcp' }).servers).toEqual([
      { name: 'aws_docs', url: 'http://127.0.0.1:8123/mcp', kind: 'aws-knowledge' },
    ]);
  });

  it('is disabled by "off" (any case)', () => {
    expect(parseMcpServerSettings({ AWS_DOCS_MCP_URL: 'off' })).toEqual({ servers: [], problems: [] });
    expect(parseMcpServerSettings({ AWS_DOCS_MCP_URL: 'OFF' })).toEqual({ servers: [], problems: [] });
  });

  it.each(['knowledge-mcp.global.api.aws', 'ftp://example.com/', 'false'])('reports a value that is not an http(s) URL: %s', (value) => {
    const { servers, problems } = parseMcpServerSettings({ AWS_DOCS_MCP_URL: value });
    expect(servers).toEqual([]);
    expect(problems).toEqual(['AWS_DOCS_MCP_URL must be an http:// or https:// URL, or "off" to go without AWS documentation tools']);
  });
});

describe('parseMcpServerSettings: MCP_SERVERS', () => {
  it('reads a list of team servers', () => {
    const json = JSON.stringify([
      { name: 'runbooks', url: 'https://mcp.internal.example.com/mcp', headers: { Authorization: 'Bearer abc' }, allowedTools: ['search_runbooks'], reuseSeconds: 300 },
      { name: 'wiki', url: 'http://10.0.0.5:8080/' },
    ]);
    expect(parseMcpServerSettings({ AWS_DOCS_MCP_URL: 'off', MCP_SERVERS: json })).toEqual({
      servers: [
        { name: 'runbooks', url: 'https://mcp.internal.example.com/mcp', kind: 'team', headers: { Authorization: 'Bearer abc' }, allowedTools: ['search_runbooks'], reuseSeconds: 300 },
        { name: 'wiki', url: 'http://10.0.0.5:8080/', kind: 'team' },
      ],
      problems: [],
    });
  });

  it('puts the AWS docs server first, then the team servers', () => {
    const { servers } = parseMcpServerSettings({ MCP_SERVERS: '[{"name":"wiki","url":"https://wiki.example.com/mcp"}]' });
    expect(servers.map((server) => server.name)).toEqual(['aws_docs', 'wiki']);
  });

  it('treats an empty value as no team servers', () => {
    expect(parseMcpServerSettings({ AWS_DOCS_MCP_URL: 'off', MCP_SERVERS: '' })).toEqual({ servers: [], problems: [] });
  });

  it('reports JSON that does not parse, or is not a list', () => {
    expect(parseMcpServerSettings({ MCP_SERVERS: '[{"name":' }).problems).toEqual([
      'MCP_SERVERS is not valid JSON (expected a list such as [{"name":"runbooks","url":"https://…"}])',
    ]);
    expect(parseMcpServerSettings({ MCP_SERVERS: '{"name":"wiki","url":"https://x"}' }).problems).toEqual([
      'MCP_SERVERS must be a JSON list of servers, e.g. [{"name":"runbooks","url":"https://…"}]',
    ]);
  });

  it('names the entry and field of every problem, all at once', () => {
    const json = JSON.stringify([
      { name: 'ok', url: 'https://ok.example.com' },
      { url: 'https://a.example.com' },
      { name: 'bad name!', url: 'mailto:x@example.com' },
      { name: 'x', url: 'https://x.example.com', allowed_tools: ['a'] },
      { name: 'y', url: 'https://y.example.com', allowedTools: [], reuseSeconds: -1 },
      'just a string',
    ]);
    const { servers, problems } = parseMcpServerSettings({ AWS_DOCS_MCP_URL: 'off', MCP_SERVERS: json });
    expect(servers.map((server) => server.name)).toEqual(['ok']);
    expect(problems).toEqual([
      'MCP_SERVERS[1].name is required: a short name, the prefix of its tool names',
      'MCP_SERVERS[2].name must be 1 to 20 letters, digits, "_" or "-"',
      'MCP_SERVERS[2].url must be an http:// or https:// URL',
      'MCP_SERVERS[3] has unknown fields "allowed_tools" (known: name, url, headers, allowedTools, reuseSeconds)',
      'MCP_SERVERS[4].allowedTools must name at least one tool (leave it out to allow every tool)',
      'MCP_SERVERS[4].reuseSeconds must be at least 0',
      'MCP_SERVERS[5] must be an object {name, url, headers?, allowedTools?, reuseSeconds?}',
    ]);
  });

  it('reports duplicate names, including the AWS docs server\'s own', () => {
    const json = JSON.stringify([
      { name: 'wiki', url: 'https://a.example.com' },
      { name: 'wiki', url: 'https://b.example.com' },
      { name: 'aws_docs', url: 'https://c.example.com' },
    ]);
    expect(parseMcpServerSettings({ MCP_SERVERS: json }).problems).toEqual([
      'MCP_SERVERS[1].name "wiki" is used twice: names must be unique',
      'MCP_SERVERS[2].name "aws_docs" is used twice (it is the AWS documentation server\'s name): names must be unique',
    ]);
    // With the docs server off, the name is free.
    expect(parseMcpServerSettings({ AWS_DOCS_MCP_URL: 'off', MCP_SERVERS: JSON.stringify([{ name: 'aws_docs', url: 'https://c.example.com' }]) }).problems).toEqual([]);
  });

  it('never repeats a header value in a problem (they hold credentials)', () => {
    const secret = 'Bearer s3cr3t-t0ken-value';
    const json = JSON.stringify([
      { name: 'a', url: 'https://a.example.com', headers: { 'Bad Header': secret } },
      { name: 'b', url: 'https://b.example.com', headers: { Authorization: `${secret}\r\nX-Injected: 1` } },
      { name: 'c', url: 'https://c.example.com', headers: { Authorization: 42 } },
    ]);
    const { problems } = parseMcpServerSettings({ MCP_SERVERS: json });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toBe('MCP_SERVERS[0].headers.Bad Header is not a valid HTTP header name');
    expect(problems[1]).toBe('MCP_SERVERS[1].headers.Authorization must not contain line breaks');
    expect(problems[2]).toBe('MCP_SERVERS[2].headers.Authorization must be a string');
    for (const problem of problems) expect(problem).not.toContain('s3cr3t');
  });
});
