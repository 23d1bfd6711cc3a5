// The published JSON Schema, generated from the zod schema (one source of truth).
import * as z from 'zod';
import { schemas } from './schema.js';

export function transferJsonSchema(): object {
  return {
    ...z.toJSONSchema(schemas().transferConfigSchema, { io: 'input', target: 'draft-7' }),
    $id: 'https://transferctl.dev/schema/transfer.schema.json',
    title: 'transferctl workspace (transfer.json)',
  };
}
