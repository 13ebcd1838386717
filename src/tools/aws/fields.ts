/** Input fields several account tools share, with the descriptions the model reads. */
import { z } from 'zod';

export type Regions = readonly [string, ...string[]];

/** The region to read, limited to the allowed ones; the first is the default. */
export function regionField(regions: Regions) {
  return z
    .enum(regions as unknown as [string, ...string[]])
    .default(regions[0])
    .describe(`AWS region to read. Allowed: ${regions.join(', ')}. Default: ${regions[0]}.`);
}

/** How many items to show, 1 to `max`. */
export function limitField(max: number, byDefault: number, what: string) {
  return z.number().int().min(1).max(max).default(byDefault).describe(`How many ${what} to show at most (1-${max}, default ${byDefault}).`);
}

/** Reads a string field of an unvalidated input, for the step people see. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? (value.length > 60 ? `${value.slice(0, 60)}…` : value) : undefined;
}

/** Reads a list of strings of an unvalidated input, for the step people see. */
export function textList(value: unknown): string | undefined {
  if (!Array.isArray(value)) return undefined;
  const items = value.filter((item): item is string => typeof item === 'string');
  if (items.length === 0) return undefined;
  return items.length > 3 ? `${items.slice(0, 3).join(', ')} +${items.length - 3}` : items.join(', ');
}

/** The short name at the end of an ARN (`…:cluster/prod` → `prod`), or the value itself. */
export function shortName(arnOrName: string | undefined): string {
  if (!arnOrName) return '?';
  const slash = arnOrName.lastIndexOf('/');
  return slash >= 0 ? arnOrName.slice(slash + 1) : arnOrName;
}
