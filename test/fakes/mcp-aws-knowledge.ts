/**
 * The AWS Knowledge MCP server's five tools for the fake MCP server (mcp.ts): their real names
 * (with the server's `aws___` prefix), input schemas as a live `tools/list` returns them, and
 * answers in the server's envelope `{"content":{"result":…}}` over a small corpus of AWS pages.
 * Where a shape is inferred rather than observed, test/fakes/mcp.md says so.
 */
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { FakeTool } from './mcp.js';

export interface DocPage {
  url: string;
  title: string;
  /** Topics of search_documentation this page is indexed under. */
  topics: string[];
  markdown: string;
}

export const SERVICE_CONNECT_URL = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect.html';
export const SERVICE_CONNECT_CONCEPTS_URL = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-concepts-deploy.html';
export const SERVICE_CONNECT_LAUNCH_URL = 'https://aws.amazon.com/about-aws/whats-new/2022/11/amazon-ecs-service-connect/';
export const LAMBDA_RUNTIMES_URL = 'https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html';
export const LAMBDA_RUNTIME_UPDATES_URL = 'https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html';
export const S3_BUCKET_NAMING_URL = 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html';
export const IAM_ACCESS_KEYS_URL = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html';
export const EC2_INSTANCE_TYPES_URL = 'https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html';

// The AWS documentation's own example credentials, assembled so this file does not look like a leak.
export const DOCS_EXAMPLE_KEY_ID = ['AKIA', 'IOSFODNN7EXAMPLE'].join('');
export const DOCS_EXAMPLE_SECRET = ['wJalrXUtnFEMI', '/K7MDENG/bPxRfiCYEXAMPLEKEY'].join('');

function instanceTypeTable(): string {
  const families = ['m5', 'm6g', 'm6i', 'm7g', 'm7i', 't3', 't4g', 'c6i', 'c7g', 'r6i', 'r7g'];
  const sizes: Array<[string, number, number]> = [
    ['large', 2, 8],
    ['xlarge', 4, 16],
    ['2xlarge', 8, 32],
    ['4xlarge', 16, 64],
    ['8xlarge', 32, 128],
    ['12xlarge', 48, 192],
    ['16xlarge', 64, 256],
    ['24xlarge', 96, 384],
  ];
  const rows = ['| Instance type | vCPUs | Memory (GiB) | Network bandwidth (Gbps) | EBS bandwidth (Mbps) |', '| --- | --- | --- | --- | --- |'];
  for (const family of families) {
    for (const [size, vcpu, memory] of sizes) {
      rows.push(`| ${family}.${size} | ${vcpu} | ${memory} | Up to ${Math.min(50, vcpu * 1.5)} | Up to ${Math.min(40_000, vcpu * 1_250)} |`);
    }
  }
  return rows.join('\n');
}

export const DOC_PAGES: readonly DocPage[] = [
  {
    url: SERVICE_CONNECT_URL,
    title: 'Use Service Connect to connect Amazon ECS services with short names',
    topics: ['general', 'reference_documentation'],
    markdown: `# Use Service Connect to connect Amazon ECS services with short names

Amazon ECS Service Connect provides management of service-to-service communication as Amazon ECS configuration. It builds both service discovery and a service mesh in Amazon ECS. This provides the complete configuration inside each Amazon ECS service that you manage by service deployments, a unified way to refer to your services within namespaces that doesn't depend on the Amazon VPC DNS configuration, and standardized metrics and logs to monitor all of your applications on Amazon ECS.

Service Connect only interconnects Amazon ECS services.

## Service Connect concepts

The Service Connect feature creates a virtual network of related services. The same service configuration can be used across multiple different namespaces to run independent yet identical sets of applications.

**Port name**: The port name is the task definition configuration that assigns a name to a particular port mapping. This configuration is only used by Amazon ECS Service Connect.

**Client alias**: The client alias is the service configuration that assigns the port number that is used in the endpoint. Additionally, the client alias can assign the DNS name of the endpoint, overriding the discovery name.

**Namespace**: Service Connect uses an AWS Cloud Map namespace. All services in the namespace can connect to each other by their short names.

## Launch types

Service Connect is supported with the Fargate and EC2 launch types, on Linux tasks. Service Connect works with the \`awsvpc\`, \`bridge\` and \`host\` network modes.

## Pricing

There is no additional charge for Service Connect; you pay for the resources your tasks use, including the CPU and memory of the Service Connect proxy container that Amazon ECS adds to each task.
`,
  },
  {
    url: SERVICE_CONNECT_CONCEPTS_URL,
    title: 'Amazon ECS Service Connect components',
    topics: ['general', 'reference_documentation', 'troubleshooting'],
    markdown: `# Amazon ECS Service Connect components

When you use Amazon ECS Service Connect, you configure each Amazon ECS service to run a server application that receives network requests (client-server service) or to run a client application that makes the requests (client service).

## Deployment order

When you start to use Service Connect, you must deploy the client-server services first, then the client services. Tasks of a service only resolve the endpoints that existed when the task started: redeploy client services after adding new endpoints.

## The Service Connect proxy

Amazon ECS adds a proxy container (the Service Connect agent, based on Envoy) to each new task of a service that uses Service Connect. Reserve at least 256 CPU units and 64 MiB of memory for it in Fargate task sizes.

## Troubleshooting

If a client cannot reach an endpoint, check that both services are in the same namespace, that the client service was deployed after the endpoint, and that the security groups allow the port mapping's traffic.
`,
  },
  {
    url: SERVICE_CONNECT_LAUNCH_URL,
    title: 'Introducing Amazon ECS Service Connect',
    topics: ['current_awareness', 'general'],
    markdown: `# Introducing Amazon ECS Service Connect

Posted On: Nov 27, 2022

Amazon Elastic Container Service (Amazon ECS) launches Amazon ECS Service Connect, a new capability that simplifies building and operating resilient distributed applications. ECS Service Connect makes it easy to configure service discovery, connectivity, and traffic monitoring for applications on Fargate and EC2, without changing application code.

ECS Service Connect is available in all AWS Regions where Amazon ECS is available, except the AWS GovCloud (US) and China Regions.
`,
  },
  {
    url: LAMBDA_RUNTIMES_URL,
    title: 'Lambda runtimes',
    topics: ['general', 'reference_documentation'],
    markdown: `# Lambda runtimes

Lambda supports multiple languages through the use of runtimes. A runtime provides a language-specific environment that relays invocation events, context information, and responses between Lambda and the function. You can use runtimes that Lambda provides, or build your own.

## Supported runtimes

| Name | Identifier | Operating system | Deprecation date |
| --- | --- | --- | --- |
| Node.js 22 | nodejs22.x | Amazon Linux 2023 | Apr 30, 2027 |
| Node.js 20 | nodejs20.x | Amazon Linux 2023 | Apr 30, 2026 |
| Python 3.13 | python3.13 | Amazon Linux 2023 | Jun 30, 2029 |
| Python 3.12 | python3.12 | Amazon Linux 2023 | Oct 31, 2028 |
| Java 21 | java21 | Amazon Linux 2023 | Jun 30, 2029 |
| .NET 8 | dotnet8 | Amazon Linux 2023 | Nov 10, 2026 |
| Ruby 3.3 | ruby3.3 | Amazon Linux 2023 | Mar 31, 2027 |
| OS-only runtime | provided.al2023 | Amazon Linux 2023 | Jun 30, 2029 |

## Runtime deprecation policy

Lambda deprecates a runtime when the language version reaches end of life. After deprecation, Lambda no longer applies security patches to the runtime, and you can no longer create functions that use it; later you can no longer update them either.
`,
  },
  {
    url: LAMBDA_RUNTIME_UPDATES_URL,
    title: 'Understanding how Lambda manages runtime version updates',
    topics: ['general', 'reference_documentation'],
    markdown: `# Understanding how Lambda manages runtime version updates

Lambda keeps each managed runtime up to date with security updates, bug fixes, new features, performance enhancements, and support for minor version releases. These runtime updates are published as runtime versions.

## Runtime management controls

- **Auto** (default): Lambda updates your function to the latest secure runtime version in a two-phase rollout.
- **Function update**: Lambda updates the runtime version when you change your function.
- **Manual**: You choose the runtime version in your function configuration; use it to roll back after an incompatible update.
`,
  },
  {
    url: S3_BUCKET_NAMING_URL,
    title: 'General purpose bucket naming rules',
    topics: ['general', 'reference_documentation', 'troubleshooting'],
    markdown: `# General purpose bucket naming rules

The following naming rules apply for general purpose buckets.

- Bucket names must be between 3 (min) and 63 (max) characters long.
- Bucket names can consist only of lowercase letters, numbers, periods (.), and hyphens (-).
- Bucket names must begin and end with a letter or number.
- Bucket names must not be formatted as an IP address (for example, 192.168.5.4).
- Bucket names must be unique across all AWS accounts in all the AWS Regions within a partition.
`,
  },
  {
    url: IAM_ACCESS_KEYS_URL,
    title: 'Manage access keys for IAM users',
    topics: ['general', 'reference_documentation'],
    markdown: `# Manage access keys for IAM users

Access keys are long-term credentials for an IAM user or the AWS account root user. You can use access keys to sign programmatic requests to the AWS CLI or AWS API.

Access keys consist of two parts: an access key ID (for example, \`${DOCS_EXAMPLE_KEY_ID}\`) and a secret access key (for example, \`${DOCS_EXAMPLE_SECRET}\`).

## Configure the AWS CLI

\`\`\`
[default]
aws_access_key_id = ${DOCS_EXAMPLE_KEY_ID}
aws_secret_access_key = ${DOCS_EXAMPLE_SECRET}
\`\`\`

As a best practice, use temporary security credentials (IAM roles) instead of creating long-term credentials like access keys.
`,
  },
  {
    url: EC2_INSTANCE_TYPES_URL,
    title: 'Specifications for Amazon EC2 general purpose instances',
    topics: ['general', 'reference_documentation'],
    markdown: `# Specifications for Amazon EC2 general purpose instances

General purpose instances provide a balance of compute, memory, and networking resources.

## Instance specifications

${instanceTypeTable()}
`,
  },
];

export const SKILLS: Readonly<Record<string, { title: string; files: Record<string, string> }>> = {
  'ecs-service-connect-setup': {
    title: 'Set up Amazon ECS Service Connect',
    files: {
      'SKILL.md': `---
name: ecs-service-connect-setup
description: Configure Service Connect between Amazon ECS services in one namespace.
---

# Set up Amazon ECS Service Connect

1. Create or choose an AWS Cloud Map namespace.
2. Name the port mappings in each task definition (\`portMappings[].name\`).
3. Deploy the client-server services with \`serviceConnectConfiguration.services\`.
4. Deploy the client services in the same namespace.

See references/troubleshooting.md when clients cannot resolve endpoints.
`,
      'references/troubleshooting.md': '# Troubleshooting Service Connect\n\nRedeploy client services after adding endpoints; check security groups.\n',
    },
  },
};

export const REGIONS: ReadonlyArray<{ region_id: string; region_long_name: string }> = [
  { region_id: 'us-east-1', region_long_name: 'US East (N. Virginia)' },
  { region_id: 'us-east-2', region_long_name: 'US East (Ohio)' },
  { region_id: 'us-west-2', region_long_name: 'US West (Oregon)' },
  { region_id: 'ca-central-1', region_long_name: 'Canada (Central)' },
  { region_id: 'eu-west-1', region_long_name: 'Europe (Ireland)' },
  { region_id: 'eu-central-1', region_long_name: 'Europe (Frankfurt)' },
  { region_id: 'eu-south-2', region_long_name: 'Europe (Spain)' },
  { region_id: 'eu-north-1', region_long_name: 'Europe (Stockholm)' },
  { region_id: 'ap-southeast-1', region_long_name: 'Asia Pacific (Singapore)' },
  { region_id: 'ap-northeast-1', region_long_name: 'Asia Pacific (Tokyo)' },
  { region_id: 'sa-east-1', region_long_name: 'South America (São Paulo)' },
  { region_id: 'us-gov-west-1', region_long_name: 'AWS GovCloud (US-West)' },
];

type Availability = 'isAvailableIn' | 'isNotAvailableIn' | 'isPlannedIn';
const CATALOG: Record<'product' | 'api' | 'cfn', Record<string, (region: string) => Availability>> = {
  product: {
    'AWS Lambda': () => 'isAvailableIn',
    'Amazon Elastic Container Service': () => 'isAvailableIn',
    'Amazon ECS Service Connect': (region) => (region.startsWith('us-gov-') ? 'isNotAvailableIn' : 'isAvailableIn'),
    'Amazon Bedrock': (region) => (['us-east-1', 'us-west-2', 'eu-central-1', 'ap-northeast-1'].includes(region) ? 'isAvailableIn' : region === 'eu-south-2' ? 'isPlannedIn' : 'isNotAvailableIn'),
  },
  api: {
    'Lambda+Invoke': () => 'isAvailableIn',
    'ECS+CreateService': () => 'isAvailableIn',
    'Bedrock+InvokeModel': (region) => (['us-east-1', 'us-west-2', 'eu-central-1', 'ap-northeast-1'].includes(region) ? 'isAvailableIn' : 'isNotAvailableIn'),
  },
  cfn: {
    'AWS::Lambda::Function': () => 'isAvailableIn',
    'AWS::ECS::Service': () => 'isAvailableIn',
  },
};
const RESPONSE_KEYS = { product: 'products', api: 'service_apis', cfn: 'cfn_resources' } as const;

/** The live server's allow-list for read_documentation (prefixes without the scheme). */
const READ_ALLOWED_PREFIXES = ['docs.aws.amazon.com/', 'aws.amazon.com/', 'repost.aws/knowledge-center/', 'docs.amplify.aws/', 'ui.docs.amplify.aws/', 'strandsagents.com/'];
const READ_DENIED_PREFIXES = ['aws.amazon.com/marketplace'];
const READ_DEFAULT_MAX_LENGTH = 10_000;
const SEARCH_DEFAULT_LIMIT = 4;
const SEARCH_TOPICS = ['reference_documentation', 'current_awareness', 'troubleshooting', 'amplify_docs', 'cdk_docs', 'cdk_constructs', 'cloudformation', 'agent_skills', 'strands_docs', 'general'];

/** The server's answer envelope: one text block holding `{"content":{"result":…}}`. */
export function envelope(result: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify({ content: { result } }) }] };
}

export function toolError(code: 'not_found' | 'invalid_url' | 'throttled' | 'downstream_error' | 'validation_error', message: string): CallToolResult {
  return { content: [{ type: 'text', text: `${code}: ${message}` }], isError: true };
}

const definitions: Record<string, Tool> = {
  read: {
    name: 'aws___read_documentation',
    description:
      'Fetch full AWS doc pages as markdown. Use exact URLs from `search_documentation`; do not guess slugs.\n\nInput: `requests: [{url, max_length?, start_index?}]`. Batch 2-5.\n- `max_length` default 10000.\n- `start_index` default 0; use prior `end_index` to continue.\n\nOutput: SUCCESS -- markdown + `total_length, start_index, end_index, truncated, redirected_url?`. ERROR -- `error_code` in {not_found, invalid_url, throttled, downstream_error, validation_error}.',
    annotations: { readOnlyHint: true, openWorldHint: false, destructiveHint: false },
    inputSchema: {
      type: 'object',
      properties: {
        requests: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              url: { type: 'string', description: 'Doc URL with allow-listed prefix; use exact URL from search.' },
              max_length: { type: 'integer', description: 'Chars returned (default 10000).' },
              start_index: { type: 'integer', description: 'Char offset (default 0). Use prior `end_index` to continue.' },
            },
            required: ['url'],
          },
          description: 'List of `{url, max_length?, start_index?}`. Batch 2-5.',
        },
      },
      required: [],
    },
  },
  search: {
    name: 'aws___search_documentation',
    description:
      "AWS docs search. Each result's `context` is verbatim page text and usually already contains the answer.\n\nPick ONE topic: reference_documentation, current_awareness, troubleshooting, amplify_docs, cdk_docs, cdk_constructs, cloudformation, strands_docs, agent_skills, general (default).\n\nResults: rank_order (lower=better), url, title, context.",
    annotations: { readOnlyHint: true, openWorldHint: false, destructiveHint: false },
    inputSchema: {
      type: 'object',
      properties: {
        limit: { type: 'integer', description: 'Maximum number of results to return (default 4).' },
        search_phrase: { type: 'string', description: 'Keywords; preserve exact error strings and all task terms verbatim.' },
        topics: {
          type: 'array',
          items: { type: 'string', description: 'topic name' },
          description: `Up to 3 from: ${SEARCH_TOPICS.join(', ')}. Default ["general"].`,
        },
      },
      required: ['search_phrase'],
    },
  },
  regions: {
    name: 'aws___list_regions',
    description: 'Retrieve a list of all AWS regions.',
    annotations: { readOnlyHint: true, openWorldHint: false, destructiveHint: false },
    inputSchema: { type: 'object', properties: {}, required: [] },
  },
  availability: {
    name: 'aws___get_regional_availability',
    description:
      'AWS resource availability per region.\n\n- Max 10 regions; multi-region needs `filters`; single-region supports `next_token`.\n- Status: isAvailableIn | isNotAvailableIn | isPlannedIn | Not Found.\n- Response key: products | service_apis | cfn_resources.',
    annotations: { readOnlyHint: true, openWorldHint: false, destructiveHint: false },
    inputSchema: {
      type: 'object',
      properties: {
        regions: { type: 'array', items: { type: 'string' }, description: 'AWS region codes (max 10). Multi-region requires `filters`.' },
        resource_type: { type: 'string', description: "Required: 'product' | 'api' | 'cfn'." },
        filters: { type: 'array', items: { type: 'string' }, description: "Exact AWS product name ('AWS Lambda'), 'SdkServiceId+Operation', or CloudFormation type." },
        next_token: { type: 'string', description: 'Pagination token. Single-region, no filters only.' },
        region: { type: 'string', description: 'Unused; use `regions`.' },
      },
      required: ['resource_type'],
    },
  },
  skill: {
    name: 'aws___retrieve_skill',
    description: 'Retrieve an AWS skill (workflows, references). Returns SKILL.md, or `file` if given. Copy `skill_name` verbatim from search_documentation.',
    annotations: { readOnlyHint: true, openWorldHint: false, destructiveHint: false },
    inputSchema: {
      type: 'object',
      properties: {
        file: { type: 'string', description: 'Optional file path within the skill (e.g. `references/architecture.md`). Omit for SKILL.md.' },
        skill_name: { type: 'string', description: 'Required. Exact `skill_name` from a search_documentation result.' },
      },
      required: ['skill_name'],
    },
  },
};

function terms(text: string): string[] {
  const stop = new Set(['the', 'and', 'for', 'with', 'how', 'what', 'does', 'use', 'to', 'in', 'of', 'on', 'a', 'an', 'is', 'do', 'i']);
  return text
    .toLowerCase()
    .split(/[^a-z0-9.+-]+/)
    .filter((term) => term.length >= 2 && !stop.has(term));
}

function occurrences(haystack: string, term: string): number {
  let count = 0;
  for (let at = haystack.indexOf(term); at !== -1; at = haystack.indexOf(term, at + term.length)) count += 1;
  return count;
}

/** The paragraph that matches best, verbatim, as the live server's `context` is a real chunk of the page. */
function bestChunk(page: DocPage, queryTerms: string[]): string {
  const paragraphs = page.markdown.split(/\n{2,}/).filter((paragraph) => !paragraph.startsWith('# '));
  let best = paragraphs[0] ?? '';
  let bestScore = -1;
  for (const paragraph of paragraphs) {
    const lower = paragraph.toLowerCase();
    const score = queryTerms.reduce((sum, term) => sum + occurrences(lower, term), 0);
    if (score > bestScore) {
      best = paragraph;
      bestScore = score;
    }
  }
  return best.length <= 800 ? best : best.slice(0, 800);
}

function search(args: Record<string, unknown>): CallToolResult {
  const phrase = args.search_phrase;
  if (typeof phrase !== 'string' || phrase.trim() === '') return toolError('validation_error', 'search_phrase is required');
  const topics = Array.isArray(args.topics) && args.topics.length > 0 ? args.topics.map(String) : ['general'];
  const unknown = topics.filter((topic) => !SEARCH_TOPICS.includes(topic));
  if (unknown.length > 0) return toolError('validation_error', `unknown topics: ${unknown.join(', ')}`);
  if (topics.length > 3) return toolError('validation_error', 'at most 3 topics');
  const limit = typeof args.limit === 'number' && args.limit > 0 ? Math.floor(args.limit) : SEARCH_DEFAULT_LIMIT;
  const queryTerms = terms(phrase);
  if (topics.includes('agent_skills')) {
    const skills = Object.entries(SKILLS)
      .filter(([name, skill]) => queryTerms.some((term) => `${name} ${skill.title}`.toLowerCase().includes(term)))
      .slice(0, limit)
      .map(([name, skill], index) => ({ rank_order: index + 1, skill_name: name, title: skill.title, context: skill.files['SKILL.md']?.split('\n---\n')[1]?.trim() ?? '' }));
    return envelope(skills);
  }
  const scored = DOC_PAGES.filter((page) => page.topics.some((topic) => topics.includes(topic)))
    .map((page) => {
      const title = page.title.toLowerCase();
      const body = page.markdown.toLowerCase();
      const score = queryTerms.reduce((sum, term) => sum + 3 * occurrences(title, term) + occurrences(body, term), 0);
      return { page, score };
    })
    .filter((entry) => entry.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
  return envelope(scored.map(({ page }, index) => ({ rank_order: index + 1, url: page.url, title: page.title, context: bestChunk(page, queryTerms) })));
}

function normalizeDocUrl(url: string): string {
  const hash = url.indexOf('#');
  const page = hash === -1 ? url : url.slice(0, hash);
  return page.endsWith('/') ? page.slice(0, -1) : page;
}

function read(args: Record<string, unknown>): CallToolResult {
  const requests = args.requests;
  if (!Array.isArray(requests) || requests.length === 0) return toolError('validation_error', 'requests must list at least one {url}');
  const results = requests.map((request: unknown) => {
    const url = typeof request === 'object' && request !== null ? (request as Record<string, unknown>).url : undefined;
    if (typeof url !== 'string') return { url: String(url), status: 'ERROR', error_code: 'validation_error', message: 'url is required' };
    const bare = url.replace(/^https?:\/\//, '');
    if (!/^https?:\/\//.test(url) || READ_DENIED_PREFIXES.some((prefix) => bare.startsWith(prefix)) || !READ_ALLOWED_PREFIXES.some((prefix) => bare.startsWith(prefix))) {
      return { url, status: 'ERROR', error_code: 'invalid_url', message: 'URL is not on the allow-list' };
    }
    const page = DOC_PAGES.find((candidate) => normalizeDocUrl(candidate.url) === normalizeDocUrl(url));
    if (!page) return { url, status: 'ERROR', error_code: 'not_found', message: 'The page does not exist' };
    const options = request as Record<string, unknown>;
    const start = typeof options.start_index === 'number' ? Math.max(0, Math.floor(options.start_index)) : 0;
    const maxLength = typeof options.max_length === 'number' ? Math.max(1, Math.floor(options.max_length)) : READ_DEFAULT_MAX_LENGTH;
    const end = Math.min(page.markdown.length, start + maxLength);
    return {
      url,
      status: 'SUCCESS',
      content: page.markdown.slice(start, end),
      total_length: page.markdown.length,
      start_index: start,
      end_index: end,
      truncated: end < page.markdown.length,
    };
  });
  return envelope(results);
}

function availability(args: Record<string, unknown>): CallToolResult {
  const resourceType = args.resource_type;
  if (resourceType !== 'product' && resourceType !== 'api' && resourceType !== 'cfn') return toolError('validation_error', "resource_type must be 'product', 'api' or 'cfn'");
  const regions = Array.isArray(args.regions) ? args.regions.map(String) : [];
  if (regions.length === 0) return toolError('validation_error', 'regions is required (the region parameter is unused)');
  if (regions.length > 10) return toolError('validation_error', 'at most 10 regions');
  const filters = Array.isArray(args.filters) ? args.filters.map(String) : [];
  if (regions.length > 1 && filters.length === 0) return toolError('validation_error', 'multi-region queries need filters');
  const catalog = CATALOG[resourceType];
  const missing = filters.filter((filter) => !(filter in catalog));
  if (missing.length > 0) return toolError('validation_error', `values in filter parameter do not exist: ${missing.join(', ')}`);
  const names = filters.length > 0 ? filters : Object.keys(catalog);
  const known = new Set(REGIONS.map((region) => region.region_id));
  const entries = Object.fromEntries(
    names.map((name) => [name, Object.fromEntries(regions.map((region) => [region, known.has(region) ? (catalog[name] as (r: string) => Availability)(region) : 'Not Found']))]),
  );
  return envelope({ [RESPONSE_KEYS[resourceType]]: entries });
}

function skill(args: Record<string, unknown>): CallToolResult {
  const name = args.skill_name;
  if (typeof name !== 'string' || name === '') return toolError('validation_error', 'skill_name is required');
  const found = SKILLS[name];
  if (!found) return toolError('not_found', `no skill named ${name}`);
  const file = typeof args.file === 'string' && args.file !== '' ? args.file : 'SKILL.md';
  const text = found.files[file];
  return text === undefined ? toolError('not_found', `no file ${file} in skill ${name}`) : envelope(text);
}

/** The five tools of the AWS Knowledge MCP server, in the order its `tools/list` gives them. */
export function awsKnowledgeTools(): FakeTool[] {
  return [
    { definition: definitions.read as Tool, handler: read },
    { definition: definitions.search as Tool, handler: search },
    { definition: definitions.regions as Tool, handler: () => envelope(REGIONS) },
    { definition: definitions.availability as Tool, handler: availability },
    { definition: definitions.skill as Tool, handler: skill },
  ];
}
