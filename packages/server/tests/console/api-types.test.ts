import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiTypes } from '../../../api/generate.ts';

// The console's typed client is generated from the API's own OpenAPI document. When a route
// changes, the committed types must be regenerated (`npm run api`) in the same
// commit, so the console's type check sees what the server really answers.

describe('the console API client', () => {
  it('is typed from the current OpenAPI document', async () => {
    const committed = readFileSync(resolve(import.meta.dirname, '../../../api/schema.d.ts'), 'utf8');
    const generated = await apiTypes();
    expect(committed === generated, 'packages/api/schema.d.ts is stale: run `npm run api`').toBe(true);
  });
});
