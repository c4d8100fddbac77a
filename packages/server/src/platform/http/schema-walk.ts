import type { z } from 'zod';

// Walks a Zod schema the way a request is decoded: into object fields, array elements, union
// options, wrappers (optional, nullable, default, …), record keys and values, and the input side
// of pipes and codecs. The OpenAPI generator finds component schemas this way, and the route
// schema guard finds strings and objects that do not follow the request rules.

export type AnySchema = z.core.$ZodType;

type Def = {
  type: string;
  shape?: Record<string, AnySchema>;
  catchall?: AnySchema;
  element?: AnySchema;
  innerType?: AnySchema;
  options?: readonly AnySchema[];
  left?: AnySchema;
  right?: AnySchema;
  keyType?: AnySchema;
  valueType?: AnySchema;
  items?: readonly AnySchema[];
  rest?: AnySchema | null;
  in?: AnySchema;
  getter?: () => AnySchema;
};

export function defOf(schema: AnySchema): Def {
  return schema._zod.def as unknown as Def;
}

/** Calls `visit` for the schema and every schema inside it, with a path like `lines[].amount`. */
export function walkSchema(
  schema: AnySchema,
  visit: (schema: AnySchema, path: string) => void,
  path = '',
  seen: Set<AnySchema> = new Set(),
): void {
  if (seen.has(schema)) return;
  seen.add(schema);
  visit(schema, path);
  const def = defOf(schema);
  const into = (child: AnySchema | null | undefined, childPath: string) => {
    if (child) walkSchema(child, visit, childPath, seen);
  };
  const field = (name: string) => (path === '' ? name : `${path}.${name}`);
  switch (def.type) {
    case 'object':
      for (const [name, child] of Object.entries(def.shape ?? {})) into(child, field(name));
      into(def.catchall, field('*'));
      return;
    case 'array':
      into(def.element, `${path}[]`);
      return;
    case 'union':
      for (const option of def.options ?? []) into(option, path);
      return;
    case 'intersection':
      into(def.left, path);
      into(def.right, path);
      return;
    case 'record':
      into(def.keyType, `${field('<key>')}`);
      into(def.valueType, field('*'));
      return;
    case 'tuple':
      (def.items ?? []).forEach((item, index) => {
        into(item, `${path}[${index}]`);
      });
      into(def.rest, `${path}[]`);
      return;
    case 'pipe':
      // What arrives is the input side; the output of a transform or codec is not on the wire.
      into(def.in, path);
      return;
    case 'lazy':
      into(def.getter?.(), path);
      return;
    default:
      into(def.innerType, path);
  }
}
