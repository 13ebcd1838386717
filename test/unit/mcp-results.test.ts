import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import {
  AWS_DOCS_REUSE_SECONDS,
  AWS_REGIONS_REUSE_SECONDS,
  awsKnowledgeReuseSeconds,
  describeAwsKnowledgeCall,
  presentAwsKnowledgeResult,
} from '../../src/tools/mcp/aws-knowledge.js';
import { classifyFailure, failureText, toolErrorText } from '../../src/tools/mcp/failures.js';
import { CHARS_PER_TOKEN, capToTokens, contentText, dedupeSources, structuredSources } from '../../src/tools/mcp/result-text.js';
import { parseRetryAfter } from '../../src/tools/mcp/server-connection.js';

const ECS_URL = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect.html';
const LAMBDA_URL = 'https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html';

function jsonResult(result: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify({ content: { result } }) }] };
}

describe('capToTokens', () => {
  it('leaves a text within the budget alone', () => {
    expect(capToTokens('short text', 100)).toEqual({ text: 'short text', cut: false });
  });

  it('cuts a long text to the budget, at a line break, and says so', () => {
    const lines = Array.from({ length: 400 }, (_, index) => `line ${index} of a long documentation page`);
    const text = lines.join('\n');
    const capped = capToTokens(text, 500);
    expect(capped.cut).toBe(true);
    expect(capped.text.length).toBeLessThanOrEqual(500 * CHARS_PER_TOKEN);
    expect(capped.text).toMatch(/\[Cut: this result was about \d+ tokens, over the limit of 500; only its first part is shown\.\]$/);
    const kept = capped.text.slice(0, capped.text.indexOf('\n\n[Cut:'));
    expect(lines).toContain(kept.split('\n').at(-1));
    expect(text.startsWith(kept)).toBe(true);
  });

  it('reports the size of the whole', () => {
    const text = 'x'.repeat(35_000);
    expect(capToTokens(text, 1000).text).toContain('about 10000 tokens');
  });

  it('never splits a surrogate pair', () => {
    const text = '🙂'.repeat(5000);
    const capped = capToTokens(text, 200).text;
    const kept = capped.slice(0, capped.indexOf('\n\n[Cut:'));
    expect(kept.length % 2).toBe(0);
    expect(kept).toBe('🙂'.repeat(kept.length / 2));
  });
});

describe('contentText and structuredSources (any server)', () => {
  const result: CallToolResult = {
    content: [
      { type: 'text', text: 'Found 2 runbooks.' },
      { type: 'resource_link', uri: 'https://wiki.example.com/runbooks/db-failover', name: 'db-failover', title: 'Database failover runbook' },
      { type: 'image', data: 'iVBORw0KGgo=', mimeType: 'image/png' },
      { type: 'resource', resource: { uri: 'https://wiki.example.com/runbooks/cache', text: 'Flush the cache.' } },
      { type: 'resource_link', uri: 'file:///etc/passwd', name: 'local file' },
    ],
    structuredContent: {
      results: [
        { title: 'On-call handbook', link: 'https://wiki.example.com/oncall#paging' },
        { name: 'Dashboard', urls: ['https://grafana.example.com/d/abc'] },
        { title: 'Duplicate of the first', link: 'https://wiki.example.com/oncall#escalation' },
        { title: 'Not a web page', link: 'mailto:oncall@example.com' },
      ],
    },
  };

  it('renders every block, media as a placeholder', () => {
    expect(contentText(result)).toBe(
      [
        'Found 2 runbooks.',
        'Database failover runbook: https://wiki.example.com/runbooks/db-failover',
        '[image omitted]',
        'https://wiki.example.com/runbooks/cache\nFlush the cache.',
        'local file: file:///etc/passwd',
      ].join('\n\n'),
    );
  });

  it('falls back to structured content when there are no blocks', () => {
    expect(contentText({ content: [], structuredContent: { status: 'ok' } })).toBe('{"status":"ok"}');
  });

  it('finds web pages in resource links, embedded resources and structured content, once each', () => {
    expect(structuredSources(result)).toEqual([
      { url: 'https://wiki.example.com/runbooks/db-failover', title: 'Database failover runbook' },
      { url: 'https://wiki.example.com/runbooks/cache', title: 'wiki.example.com/runbooks/cache' },
      { url: 'https://wiki.example.com/oncall#paging', title: 'On-call handbook' },
      { url: 'https://grafana.example.com/d/abc', title: 'grafana.example.com/d/abc' },
    ]);
  });

  it('does not take URLs from free text', () => {
    expect(structuredSources({ content: [{ type: 'text', text: 'see https://example.com/page' }] })).toEqual([]);
  });

  it('dedupes by page and fills a missing title', () => {
    expect(
      dedupeSources([
        { url: ECS_URL, title: ' ' },
        { url: `${ECS_URL}#sc-concepts`, title: 'Again' },
        { url: 'not a url', title: 'x' },
      ]),
    ).toEqual([{ url: ECS_URL, title: 'docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect.html' }]);
  });
});

describe('AWS Knowledge results', () => {
  it('turns search results into a numbered list with their pages as sources', () => {
    const result = jsonResult([
      { rank_order: 1, url: ECS_URL, title: 'Use Service Connect', context: 'Service Connect provides management of service-to-service communication.' },
      { rank_order: 2, url: ECS_URL, title: 'Same page again', context: 'More.' },
      { rank_order: 3, skill_name: 'ecs-service-connect-setup', title: 'Set up Service Connect', context: 'Steps.' },
    ]);
    const presented = presentAwsKnowledgeResult('aws___search_documentation', { search_phrase: 'ECS Service Connect' }, result);
    expect(presented.text).toBe(
      [
        'AWS documentation results for "ECS Service Connect" (3):',
        '',
        '1. Use Service Connect',
        `   ${ECS_URL}`,
        'Service Connect provides management of service-to-service communication.',
        '',
        '2. Same page again',
        `   ${ECS_URL}`,
        'More.',
        '',
        '3. Set up Service Connect',
        '   skill_name: ecs-service-connect-setup',
        'Steps.',
      ].join('\n'),
    );
    expect(presented.sources).toEqual([{ url: ECS_URL, title: 'Use Service Connect' }]);
  });

  it('says when a search found nothing', () => {
    expect(presentAwsKnowledgeResult('search_documentation', { search_phrase: 'zzz' }, jsonResult([]))).toEqual({ text: 'No AWS documentation found for "zzz".', sources: [] });
  });

  it('shows an answer it cannot parse as it came, without claiming sources', () => {
    const raw: CallToolResult = { content: [{ type: 'text', text: 'plain text answer' }] };
    expect(presentAwsKnowledgeResult('aws___search_documentation', { search_phrase: 'x' }, raw)).toEqual({ text: 'plain text answer', sources: [] });
  });

  it('shows pages read (batch form) under their address, titled by their heading', () => {
    const result = jsonResult([
      { url: LAMBDA_URL, status: 'SUCCESS', content: '# Lambda runtimes\n\nLambda supports multiple languages.', total_length: 9000, start_index: 0, end_index: 40, truncated: true },
      { url: 'https://docs.aws.amazon.com/nope.html', status: 'ERROR', error_code: 'not_found', message: 'The page does not exist' },
    ]);
    const presented = presentAwsKnowledgeResult('aws___read_documentation', { requests: [{ url: LAMBDA_URL }, { url: 'https://docs.aws.amazon.com/nope.html' }] }, result);
    expect(presented.text).toBe(
      [
        `Page: ${LAMBDA_URL}\n\n# Lambda runtimes\n\nLambda supports multiple languages.\n\n(The page continues: read it again with start_index=40 of 9000 characters.)`,
        'Could not read https://docs.aws.amazon.com/nope.html: not_found: The page does not exist',
      ].join('\n\n---\n\n'),
    );
    expect(presented.sources).toEqual([{ url: LAMBDA_URL, title: 'Lambda runtimes' }]);
  });

  it('takes the single-page form too (markdown as the result)', () => {
    const presented = presentAwsKnowledgeResult('read_documentation', { url: LAMBDA_URL }, jsonResult('## Lambda runtimes\n\nText.'));
    expect(presented).toEqual({ text: '## Lambda runtimes\n\nText.', sources: [{ url: LAMBDA_URL, title: 'Lambda runtimes' }] });
  });

  it('unwraps other answers from the envelope', () => {
    const regions = [{ region_id: 'eu-west-1', region_long_name: 'Europe (Ireland)' }];
    expect(presentAwsKnowledgeResult('aws___list_regions', {}, jsonResult(regions))).toEqual({ text: JSON.stringify(regions), sources: [] });
    expect(presentAwsKnowledgeResult('aws___retrieve_skill', { skill_name: 's' }, jsonResult('# Skill\n\nSteps.')).text).toBe('# Skill\n\nSteps.');
  });
});

describe('AWS Knowledge steps and reuse', () => {
  it('describes each call for a person', () => {
    expect(describeAwsKnowledgeCall('aws___search_documentation', { search_phrase: '  ECS Service Connect\nFargate ' })).toBe('Searching AWS docs: ECS Service Connect Fargate');
    expect(describeAwsKnowledgeCall('aws___read_documentation', { requests: [{ url: LAMBDA_URL }] })).toBe('Reading: /lambda/latest/dg/lambda-runtimes.html');
    expect(describeAwsKnowledgeCall('aws___read_documentation', { requests: [{ url: LAMBDA_URL }, { url: ECS_URL }, { url: ECS_URL }] }, (url) => (url === LAMBDA_URL ? 'Lambda runtimes' : undefined))).toBe(
      'Reading: Lambda runtimes, /AmazonECS/latest/developerguide/service-connect.html (+1 more)',
    );
    expect(describeAwsKnowledgeCall('aws___list_regions', {})).toBe('Listing AWS regions');
    expect(describeAwsKnowledgeCall('aws___get_regional_availability', { resource_type: 'product', regions: ['eu-west-1', 'us-east-1'], filters: ['AWS Lambda'] })).toBe(
      'Checking regional availability: AWS Lambda in eu-west-1, us-east-1',
    );
    expect(describeAwsKnowledgeCall('aws___get_regional_availability', { resource_type: 'cfn', regions: ['eu-south-2'] })).toBe('Checking regional availability: CloudFormation resources in eu-south-2');
    expect(describeAwsKnowledgeCall('aws___retrieve_skill', { skill_name: 'ecs-service-connect-setup', file: 'references/troubleshooting.md' })).toBe(
      'Reading AWS skill: ecs-service-connect-setup (references/troubleshooting.md)',
    );
    expect(describeAwsKnowledgeCall('aws___something_new', {})).toBe('AWS docs: aws___something_new');
  });

  it('keeps a step short', () => {
    expect(describeAwsKnowledgeCall('search_documentation', { search_phrase: 'word '.repeat(100) }).length).toBeLessThanOrEqual(150);
  });

  it('reuses docs results for hours, the region list for a day, unknown tools never', () => {
    expect(awsKnowledgeReuseSeconds('aws___search_documentation')).toBe(AWS_DOCS_REUSE_SECONDS);
    expect(awsKnowledgeReuseSeconds('aws___read_documentation')).toBe(AWS_DOCS_REUSE_SECONDS);
    expect(awsKnowledgeReuseSeconds('aws___get_regional_availability')).toBe(AWS_DOCS_REUSE_SECONDS);
    expect(awsKnowledgeReuseSeconds('aws___retrieve_skill')).toBe(AWS_DOCS_REUSE_SECONDS);
    expect(awsKnowledgeReuseSeconds('aws___list_regions')).toBe(AWS_REGIONS_REUSE_SECONDS);
    expect(awsKnowledgeReuseSeconds('aws___call_aws')).toBe(0);
    expect(AWS_DOCS_REUSE_SECONDS).toBeGreaterThanOrEqual(3600);
    expect(AWS_REGIONS_REUSE_SECONDS).toBe(86_400);
  });
});

describe('call failures', () => {
  const base = { aborted: false, hadSession: true, timeoutMs: 20_000 };
  const label = 'The AWS documentation server';

  it('tells an expired session from a wrong URL by whether a session was held', () => {
    const notFound = new StreamableHTTPError(404, 'Error POSTing to endpoint: {"jsonrpc":"2.0","error":{"code":-32001,"message":"Session not found"},"id":null}');
    expect(classifyFailure(notFound, base)).toEqual({ kind: 'session_expired' });
    expect(classifyFailure(notFound, { ...base, hadSession: false })).toEqual({ kind: 'http', status: 404 });
  });

  it('says a 429 is rate limiting, with the wait the server asked for', () => {
    const failure = classifyFailure(new StreamableHTTPError(429, 'Error POSTing to endpoint: {"message":"Too Many Requests"}'), { ...base, retryAfterSeconds: 7 });
    expect(failure).toEqual({ kind: 'rate_limited', retryAfterSeconds: 7 });
    expect(failureText(failure, label)).toBe('The AWS documentation server is rate limiting requests (HTTP 429); it asks to wait 7 s. Answer without this result, or try again later.');
  });

  it('reads a time limit, a Stop and a JSON-RPC error apart', () => {
    const timeout = new McpError(ErrorCode.RequestTimeout, 'Request timed out', { timeout: 20_000 });
    expect(classifyFailure(timeout, base)).toEqual({ kind: 'timeout', timeoutMs: 20_000 });
    expect(classifyFailure(timeout, { ...base, aborted: true })).toEqual({ kind: 'aborted' });
    const limitReached = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(classifyFailure(timeout, { ...base, aborted: true, abortReason: limitReached })).toEqual({ kind: 'timeout' });
    expect(classifyFailure(new McpError(-32602, 'Unknown tool: x'), base)).toEqual({ kind: 'rpc_error', code: -32602, message: 'Unknown tool: x' });
    expect(failureText({ kind: 'timeout', timeoutMs: 20_000 }, label)).toBe('The AWS documentation server did not answer within 20 s. Answer without this result, or try a narrower request.');
  });

  it('reads connection refused from fetch\'s cause', () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
    expect(classifyFailure(refused, base)).toEqual({ kind: 'connection', detail: 'connection refused' });
    expect(failureText({ kind: 'connection', detail: 'connection refused' }, 'The MCP server "wiki"')).toBe('The MCP server "wiki" is unreachable (connection refused). Answer without this result.');
  });

  it('bounds and masks a tool\'s own error text', () => {
    const slackToken = ['xoxb', '123456789012', '1234567890123', 'AbCdEfGhIjKlMnOpQrStUvWx'].join('-');
    const text = toolErrorText(label, 'aws___read_documentation', `failed with token ${slackToken} ${'x'.repeat(1000)}`);
    expect(text).not.toContain(slackToken);
    expect(text.length).toBeLessThan(450);
  });

  it('parses Retry-After in seconds or as a date', () => {
    expect(parseRetryAfter('12')).toBe(12);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(new Date(Date.now() + 30_000).toUTCString())).toBeGreaterThanOrEqual(28);
  });
});
