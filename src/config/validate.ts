// Validate a parsed JSONC document against a zod schema; the first problem becomes a
// ConfigError at file:line:col naming the field, with "did you mean" for unknown keys.
import * as z from 'zod';
import { ConfigError } from '../errors.js';
import { locate, type JsoncDocument } from './jsonc.js';
import { closest } from './suggest.js';

function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
    else return s;
  }
}

/** The keys an object schema allows at a path, for suggestions. */
export function keysAt(schema: z.ZodType, path: PropertyKey[]): string[] {
  let s = unwrap(schema);
  for (const seg of path) {
    if (s instanceof z.ZodObject) s = unwrap((s.shape as Record<string, z.ZodType>)[String(seg)] ?? z.never());
    else if (s instanceof z.ZodRecord) s = unwrap(s.valueType as z.ZodType);
    else if (s instanceof z.ZodArray) s = unwrap(s.element as z.ZodType);
    else return [];
  }
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

/**
 * What the schema says about the field at a path (its .describe() text), for the hint of a
 * value error: what the field is for and its default tell how to fix it. Long texts are cut
 * to their first sentences.
 */
export function descriptionAt(schema: z.ZodType, path: PropertyKey[]): string | undefined {
  let s: z.ZodType | undefined = schema;
  for (const seg of path) {
    const inner: z.ZodType = unwrap(s);
    if (inner instanceof z.ZodObject) s = (inner.shape as Record<string, z.ZodType>)[String(seg)];
    else if (inner instanceof z.ZodRecord) s = inner.valueType as z.ZodType;
    else if (inner instanceof z.ZodArray) s = inner.element as z.ZodType;
    else return undefined;
    if (!s) return undefined;
  }
  const text = s.description ?? unwrap(s).description;
  if (!text) return undefined;
  if (text.length <= 200) return text;
  let cut = '';
  for (const sentence of text.split(/(?<=\.)\s+/)) {
    if (cut && cut.length + sentence.length + 1 > 200) break;
    cut = cut ? `${cut} ${sentence}` : sentence;
  }
  return cut.length <= 240 ? cut : `${cut.slice(0, 239)}…`;
}

export function fieldName(path: PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[');
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let v: unknown = root;
  for (const seg of path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[seg] : undefined;
  return v;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === 'invalid_type') {
    const expected = issue.expected;
    const got = input === undefined ? 'nothing' : Array.isArray(input) ? 'an array' : input === null ? 'null' : typeof input;
    return `expected ${expected}, got ${got}`;
  }
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'invalid_union') return 'has a value of the wrong kind (see the schema for what is allowed)';
  return issue.message;
}

export function validate<S extends z.ZodType>(schema: S, doc: JsoncDocument): z.infer<S> {
  const result = schema.safeParse(doc.value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue.path as (string | number)[];
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    const known = keysAt(schema, path);
    const guess = closest(key, known);
    const where = locate(doc, path, key);
    const field = fieldName([...path, key]);
    throw new ConfigError(doc.file, `unknown key "${field}"${guess ? ` — did you mean "${guess}"?` : ''}`, {
      ...where,
      hint: known.length ? `allowed here: ${known.filter((k) => k !== '$schema').join(', ')}` : undefined,
    });
  }
  const where = locate(doc, path);
  const field = path.length ? fieldName(path) : '(top level)';
  const about = path.length ? descriptionAt(schema, path) : undefined;
  throw new ConfigError(doc.file, `${field}: ${describeIssue(issue, valueAt(doc.value, path))}`, { ...where, hint: about ? `${field}: ${about}` : undefined });
}
