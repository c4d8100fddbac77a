import { type Issue, type Product, type ProductDefinition, parseProduct } from '@fenqi/core';
import { AppError, type FieldError } from '../../platform/errors.ts';

// A product document checked as core checks it. Its issues become field errors under
// `definition/…` (core's JSON Pointers), so the author sees exactly which value is wrong.

export function definitionErrors(issues: readonly Issue[]): FieldError[] {
  return issues.map((found) => ({
    in: 'body' as const,
    path: `definition${found.path}`,
    message: found.message,
    code: found.code,
  }));
}

/** The product the document describes; AppError product_invalid with every issue otherwise. */
export function checkedProduct(definition: unknown): { product: Product; definition: ProductDefinition } {
  const result = parseProduct(definition);
  if (!result.ok) {
    const errors = definitionErrors(result.issues);
    throw new AppError('product_invalid', `The product definition has ${errors.length} problem(s).`, {
      errors,
    });
  }
  // parseProduct accepted every field of it: the document is a ProductDefinition as written.
  return { product: result.value, definition: definition as ProductDefinition };
}

// Parsing is pure and a published or retired version never changes: one Product per version id.
const parsed = new Map<string, { product: Product; definition: ProductDefinition }>();

/** A stored version's product (cached once the version can no longer change). */
export function storedProduct(
  id: string,
  status: string,
  definition: unknown,
): { product: Product; definition: ProductDefinition } {
  const cached = parsed.get(id);
  if (cached) return cached;
  const result = parseProduct(definition);
  if (!result.ok)
    throw new Error(`stored product version ${id} no longer parses: ${result.issues[0]?.message ?? ''}`);
  const entry = { product: result.value, definition: definition as ProductDefinition };
  if (status === 'published' || status === 'retired') parsed.set(id, entry);
  return entry;
}
