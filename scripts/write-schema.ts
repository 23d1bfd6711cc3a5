// Writes schema/transfer.schema.json from the zod schema (npm run schema).
import { writeFileSync } from 'node:fs';
import { transferJsonSchema } from '../src/config/json-schema.js';

const out = new URL('../schema/transfer.schema.json', import.meta.url);
writeFileSync(out, JSON.stringify(transferJsonSchema(), null, 2) + '\n');
console.log(`wrote ${out.pathname}`);
