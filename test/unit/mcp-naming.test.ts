import { describe, expect, it } from 'vitest';
import { TOOL_NAME_PATTERN, namespacedToolName, sanitizeNamePart } from '../../src/tools/mcp/naming.js';

describe('namespacedToolName', () => {
  it('joins server and tool with a double underscore', () => {
    expect(namespacedToolName('aws_docs', 'aws___search_documentation')).toBe('aws_docs__aws___search_documentation');
    expect(namespacedToolName('runbooks', 'find-runbook')).toBe('runbooks__find-runbook');
  });

  it('replaces characters the Messages API forbids', () => {
    expect(sanitizeNamePart('search.runbooks v2')).toBe('search_runbooks_v2');
    expect(namespacedToolName('team', 'créer/ticket')).toBe('team__cr_er_ticket');
    expect(sanitizeNamePart('')).toBe('tool');
  });

  it('keeps long names within 64 characters, stable and distinct', () => {
    const long = `lookup_${'x'.repeat(80)}`;
    const other = `lookup_${'x'.repeat(79)}y`;
    const name = namespacedToolName('team-server-name', long);
    expect(name).toHaveLength(64);
    expect(name).toMatch(TOOL_NAME_PATTERN);
    expect(namespacedToolName('team-server-name', long)).toBe(name);
    expect(namespacedToolName('team-server-name', other)).not.toBe(name);
  });

  it('gives a different name when sanitizing makes two tools collide', () => {
    const first = namespacedToolName('team', 'get.item');
    const second = namespacedToolName('team', 'get item', new Set([first]));
    expect(first).toBe('team__get_item');
    expect(second).not.toBe(first);
    expect(second).toMatch(TOOL_NAME_PATTERN);
    expect(second.startsWith('team__get_item_')).toBe(true);
  });

  it.each(['🙂', 'a'.repeat(200), '   ', 'ツール', 'x/y\\z:w'])('always matches the API pattern (%s)', (tool) => {
    expect(namespacedToolName('s', tool)).toMatch(TOOL_NAME_PATTERN);
  });
});
