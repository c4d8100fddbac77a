import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/platform/canonical-json.ts';

// The audit chain hashes canonicalJson's exact output, and idempotency fingerprints do too: a
// change to one character of it would make every stored audit row fail verification. These
// outputs are golden — if this test fails, the function changed, not the test.

describe('canonicalJson', () => {
  it('sorts keys by code unit at every depth, drops undefined members, keeps array order', () => {
    expect(
      canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' }, e: undefined, B: 'upper', _: 0 }),
    ).toBe('{"B":"upper","_":0,"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it('writes strings, numbers and literals exactly as JSON.stringify does', () => {
    expect(canonicalJson({ 张: '三 "quoted" \\ \n', n: -0.5, big: 1e21, tiny: 5e-7, t: false })).toBe(
      '{"big":1e+21,"n":-0.5,"t":false,"tiny":5e-7,"张":"三 \\"quoted\\" \\\\ \\n"}',
    );
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson('text')).toBe('"text"');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({})).toBe('{}');
  });

  it('gives one text for one meaning, whatever the key order', () => {
    expect(canonicalJson({ a: 1, b: [1, 2], c: { x: 1, y: 2 } })).toBe(
      canonicalJson({ c: { y: 2, x: 1 }, b: [1, 2], a: 1 }),
    );
  });

  it('a chained audit content hashes to the recorded value', () => {
    const content = {
      seq: '42',
      occurredAt: '2026-12-01T08:00:00.123456Z',
      actorKind: 'staff',
      actorId: '7f0d5c3e-0000-4000-8000-000000000001',
      action: 'customers.unmasked',
      subjectType: 'customer',
      subjectId: 'c1',
      ip: '10.0.0.1',
      requestId: 'r1',
      before: null,
      after: null,
      details: { reason: '核实身份', fields: ['name', 'idNumber'] },
    };
    expect(canonicalJson(content)).toBe(
      '{"action":"customers.unmasked","actorId":"7f0d5c3e-0000-4000-8000-000000000001","actorKind":"staff","after":null,"before":null,"details":{"fields":["name","idNumber"],"reason":"核实身份"},"ip":"10.0.0.1","occurredAt":"2026-12-01T08:00:00.123456Z","requestId":"r1","seq":"42","subjectId":"c1","subjectType":"customer"}',
    );
    const hash = createHmac('sha256', Buffer.alloc(32, 1))
      .update(`${'0'.repeat(64)}\n${canonicalJson(content)}`, 'utf8')
      .digest('hex');
    expect(hash).toBe(GOLDEN_HASH);
  });
});

const GOLDEN_HASH = 'e5499c36f42c71f42db36598449ab6669ef7587e6cdfb277cfa4dc22083d3bef';
