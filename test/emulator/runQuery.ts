// GET /v1/runs: the `q` filter (`field:value AND field:value`), sort_by, limit and fields.
import { ApiError } from './http';

/** Filterable fields, read from a run's JSON. */
const FILTER_FIELDS = new Set(['id', 'client_ref', 'status_code', 'model_id']);
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

export interface RunQuery {
  filters: Array<[field: string, value: string]>;
  descending: boolean;
  limit: number;
  fields?: string[];
}

/**
 * One `field:value` or `field.EQ:'value'` term (the exact-match form Runflow's own templates send;
 * values may be single- or double-quoted). Anything else is a 422, as an unparsed filter would be.
 */
const TERM = /^([a-z_]+)(\.EQ)?:\s*(?:'([^']*)'|"([^"]*)"|([^'"\s]+))$/;

export function parseRunQuery(params: URLSearchParams): RunQuery {
  const filters: RunQuery['filters'] = [];
  const q = params.get('q')?.trim();
  if (q) {
    for (const term of q.split(/\s+AND\s+/i)) {
      const match = TERM.exec(term.trim());
      if (!match || !FILTER_FIELDS.has(match[1])) {
        throw new ApiError(422, 'INVALID_QUERY', `Cannot filter on "${term}"; use field.EQ:'value' with one of ${[...FILTER_FIELDS].join(', ')}.`);
      }
      filters.push([match[1], match[3] ?? match[4] ?? match[5]]);
    }
  }

  const sortBy = params.get('sort_by') ?? 'created_at:desc';
  if (sortBy !== 'created_at:desc' && sortBy !== 'created_at:asc') {
    throw new ApiError(422, 'INVALID_QUERY', 'sort_by must be created_at:desc or created_at:asc.');
  }

  const limitParam = params.get('limit');
  const limit = limitParam === null ? DEFAULT_LIMIT : Number(limitParam);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new ApiError(422, 'INVALID_QUERY', `limit must be an integer from 1 to ${MAX_LIMIT}.`);
  }

  const fields = params
    .get('fields')
    ?.split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  return { filters, descending: sortBy.endsWith(':desc'), limit, fields: fields?.length ? fields : undefined };
}

/** Filters, sorts, cuts and projects run JSON objects (already in creation order). */
export function applyRunQuery(items: Array<Record<string, unknown>>, query: RunQuery): Array<Record<string, unknown>> {
  const kept = items.filter((item) => query.filters.every(([field, value]) => String(item[field]) === value));
  if (query.descending) kept.reverse();
  const page = kept.slice(0, query.limit);
  const { fields } = query;
  return fields ? page.map((item) => Object.fromEntries(fields.filter((f) => f in item).map((f) => [f, item[f]]))) : page;
}
