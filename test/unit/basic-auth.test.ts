import { describe, expect, it } from 'vitest';
import { credentialsMatch, parseBasicAuthorization } from '../../src/ops/basic-auth.js';

const expected = { user: 'operator', password: 'pass:with:colons' };
const header = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('basic authentication', () => {
  it('accepts exactly the configured user and password', () => {
    expect(credentialsMatch(header('operator', 'pass:with:colons'), expected)).toBe(true);
    expect(credentialsMatch(`basic   ${Buffer.from('operator:pass:with:colons').toString('base64')}`, expected)).toBe(true);
  });

  it('refuses anything else', () => {
    expect(credentialsMatch(undefined, expected)).toBe(false);
    expect(credentialsMatch('', expected)).toBe(false);
    expect(credentialsMatch('Bearer abc', expected)).toBe(false);
    expect(credentialsMatch(header('operator', 'pass:with:colon'), expected)).toBe(false);
    expect(credentialsMatch(header('operator', 'pass:with:colons '), expected)).toBe(false);
    expect(credentialsMatch(header('Operator', 'pass:with:colons'), expected)).toBe(false);
    expect(credentialsMatch(header('', ''), { user: '', password: 'x' })).toBe(false);
    expect(credentialsMatch(`Basic ${Buffer.from('operatorpass').toString('base64')}`, expected)).toBe(false);
  });

  it('splits user and password at the first colon', () => {
    expect(parseBasicAuthorization(header('a', 'b:c'))).toEqual({ user: 'a', password: 'b:c' });
    expect(parseBasicAuthorization('Basic !!!')).toBeUndefined();
  });
});
