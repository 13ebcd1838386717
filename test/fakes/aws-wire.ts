/**
 * The AWS wire formats the fake answers in, one writer per protocol, as the installed
 * @aws-sdk/client-* versions read them (test/fakes/aws.md): AWS query (XML in
 * `<Action>Response><Action>Result>`), EC2 query (XML without the Result wrapper, lists of
 * `<item>`), AWS JSON 1.0/1.1, REST-JSON and REST-XML, each with its own error shape.
 */
import type { ServerResponse } from 'node:http';

export type FakeAwsProtocol = 'query' | 'ec2' | 'json1.0' | 'json1.1' | 'rest-json' | 'rest-xml';

/** A failure a handler raises; each protocol writes it in its own shape. */
export class FakeAwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Query protocols' <Type>: Sender for the caller's fault, Receiver for the service's. */
    readonly type: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender',
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface SigV4Scope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20261130/eu-west-1/ecs/aws4_request, SignedHeaders=…, Signature=…` */
export function parseAuthorization(header: string | undefined): SigV4Scope | undefined {
  if (!header) return undefined;
  const match = /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request,\s*SignedHeaders=[a-z0-9;-]+,\s*Signature=[0-9a-f]{64}$/.exec(header);
  if (!match) return undefined;
  const [, accessKeyId = '', date = '', region = '', service = ''] = match;
  return { accessKeyId, date, region, service };
}

// ---------------------------------------------------------------------------------------------
// XML

export type XmlValue = string | number | boolean | Date | undefined | null | XmlValue[] | { [key: string]: XmlValue };

/**
 * Writes `value`'s members as elements in key order. A list becomes its element with one child
 * per item, named by `itemName(listKey)` (`member` in AWS query, `item` in EC2, named members
 * such as `DBInstance` in RDS, `Bucket` in S3). Undefined and null members are left out.
 */
export function toXml(value: XmlValue, itemName: (listKey: string) => string): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'object') return escapeXml(String(value));
  if (Array.isArray(value)) throw new Error('toXml: a list needs a key to name its items');
  let xml = '';
  for (const [key, member] of Object.entries(value)) {
    if (member === undefined || member === null) continue;
    if (Array.isArray(member)) {
      const item = itemName(key);
      xml += `<${key}>${member.map((entry) => `<${item}>${toXml(entry, itemName)}</${item}>`).join('')}</${key}>`;
    } else {
      xml += `<${key}>${toXml(member, itemName)}</${key}>`;
    }
  }
  return xml;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

export function writeQueryResult(res: ServerResponse, action: string, namespace: string, result: XmlValue, requestId: string, itemName: (key: string) => string): void {
  const body = `<${action}Response xmlns="${namespace}"><${action}Result>${toXml(result, itemName)}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
  send(res, 200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body);
}

export function writeQueryError(res: ServerResponse, namespace: string, error: FakeAwsError, requestId: string): void {
  const body = `<ErrorResponse xmlns="${namespace}"><Error><Type>${error.type}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  send(res, error.status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId, ...error.headers }, body);
}

export function writeEc2Result(res: ServerResponse, action: string, result: XmlValue, requestId: string): void {
  const body = `${XML_DECLARATION}<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${requestId}</requestId>${toXml(result, () => 'item')}</${action}Response>`;
  send(res, 200, { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId }, body);
}

export function writeEc2Error(res: ServerResponse, error: FakeAwsError, requestId: string): void {
  const body = `${XML_DECLARATION}<Response><Errors><Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
  send(res, error.status, { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId, ...error.headers }, body);
}

export function writeS3Result(res: ServerResponse, rootElement: string, result: XmlValue, requestId: string, itemName: (key: string) => string): void {
  const body = `${XML_DECLARATION}<${rootElement} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${toXml(result, itemName)}</${rootElement}>`;
  send(res, 200, { 'content-type': 'application/xml', 'x-amz-request-id': requestId, 'x-amz-id-2': hostId(requestId) }, body);
}

export function writeS3Error(res: ServerResponse, error: FakeAwsError, requestId: string): void {
  const body = `${XML_DECLARATION}<Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message><RequestId>${requestId}</RequestId><HostId>${hostId(requestId)}</HostId></Error>`;
  send(res, error.status, { 'content-type': 'application/xml', 'x-amz-request-id': requestId, 'x-amz-id-2': hostId(requestId), ...error.headers }, body);
}

function hostId(requestId: string): string {
  return Buffer.from(`host-${requestId}`).toString('base64');
}

// ---------------------------------------------------------------------------------------------
// JSON

/** AWS JSON and REST-JSON timestamps are epoch seconds (fractions allowed) unless a member says otherwise. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, function replacer(this: Record<string, unknown>, key: string, member: unknown) {
    const original = this[key];
    return original instanceof Date ? original.getTime() / 1000 : member;
  });
}

export function writeJsonResult(res: ServerResponse, protocol: 'json1.0' | 'json1.1', result: unknown, requestId: string): void {
  send(res, 200, { 'content-type': `application/x-amz-json-${protocol === 'json1.0' ? '1.0' : '1.1'}`, 'x-amzn-requestid': requestId }, toJson(result));
}

/**
 * `{"__type": "<code>", "message": …}`. With `queryCompatible` (CloudWatch, whose JSON protocol
 * keeps the error codes of its former query protocol), the query code travels in
 * `x-amzn-query-error: <Code>;<Sender|Receiver>` and the SDK prefers it to `__type`.
 */
export function writeJsonError(res: ServerResponse, protocol: 'json1.0' | 'json1.1', error: FakeAwsError, requestId: string, queryCompatible?: { jsonType: string }): void {
  const headers: Record<string, string> = {
    'content-type': `application/x-amz-json-${protocol === 'json1.0' ? '1.0' : '1.1'}`,
    'x-amzn-requestid': requestId,
    ...error.headers,
  };
  if (queryCompatible) headers['x-amzn-query-error'] = `${error.code};${error.type}`;
  send(res, error.status, headers, JSON.stringify({ __type: queryCompatible?.jsonType ?? error.code, message: error.message }));
}

export function writeRestJsonResult(res: ServerResponse, result: unknown, requestId: string): void {
  send(res, 200, { 'content-type': 'application/json', 'x-amzn-requestid': requestId }, toJson(result));
}

/** Lambda's error shape: the code in `x-amzn-ErrorType`, `{"Type": "User", "Message": …}` in the body. */
export function writeRestJsonError(res: ServerResponse, error: FakeAwsError, requestId: string): void {
  send(
    res,
    error.status,
    { 'content-type': 'application/json', 'x-amzn-requestid': requestId, 'x-amzn-errortype': error.code, ...error.headers },
    JSON.stringify({ Type: error.type === 'Sender' ? 'User' : 'Service', Message: error.message }),
  );
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

// ---------------------------------------------------------------------------------------------
// Requests and pages

/** AWS query lists: `InstanceId.1=a&InstanceId.2=b` → ['a', 'b']. */
export function queryList(params: URLSearchParams, prefix: string): string[] {
  const values: string[] = [];
  for (let index = 1; params.has(`${prefix}.${index}`); index += 1) values.push(params.get(`${prefix}.${index}`) ?? '');
  return values;
}

/** EC2 filters: `Filter.1.Name=instance-state-name&Filter.1.Value.1=running`. */
export function queryFilters(params: URLSearchParams): { name: string; values: string[] }[] {
  const filters: { name: string; values: string[] }[] = [];
  for (let index = 1; params.has(`Filter.${index}.Name`); index += 1) {
    filters.push({ name: params.get(`Filter.${index}.Name`) ?? '', values: queryList(params, `Filter.${index}.Value`) });
  }
  return filters;
}

/** One page of `items` after `token`, and the token of the next page if any. Tokens are opaque offsets. */
export function page<T>(items: readonly T[], token: string | undefined | null, size: number): { items: T[]; next: string | undefined } {
  let offset = 0;
  if (token) {
    const decoded = Number(Buffer.from(token, 'base64url').toString('utf8').replace(/^offset:/, ''));
    if (!Number.isInteger(decoded) || decoded < 0) throw new FakeAwsError('InvalidNextToken', 'The specified token is invalid.', 400);
    offset = decoded;
  }
  const slice = items.slice(offset, offset + size);
  const nextOffset = offset + slice.length;
  return { items: slice, next: nextOffset < items.length ? Buffer.from(`offset:${nextOffset}`).toString('base64url') : undefined };
}

/** `*` and `?` wildcards, as EC2 filters take them. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return regex.test(value);
}
