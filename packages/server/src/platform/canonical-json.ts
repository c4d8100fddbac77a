// Canonical JSON: object keys sorted by code unit, no whitespace, `undefined` members dropped. Two
// values that mean the same give the same text whatever their key order, so it can be hashed: the
// idempotency fingerprint and the audit chain both hash its exact output (a golden test pins it,
// because changing it would break every stored audit hash).

/** JSON with object keys sorted, so that key order and whitespace do not change the text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
