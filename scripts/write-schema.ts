// Writes schema/transfer.schema.json and schema/serve.schema.json from the zod schemas (npm run schema).
import { writeFileSync } from 'node:fs';
import { transferJsonSchema } from '../src/config/json-schema.js';
import { serveJsonSchema } from '../src/service/config-schema.js';

for (const [name, schema] of [['transfer', transferJsonSchema()], ['serve', serveJsonSchema()]] as const) {
  const out = new URL(`../schema/${name}.schema.json`, import.meta.url);
  writeFileSync(out, JSON.stringify(schema, null, 2) + '\n');
  console.log(`wrote ${out.pathname}`);
}
