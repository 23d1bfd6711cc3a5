import type { Command } from '@commander-js/extra-typings';
import { printJson } from '../output.js';
import { transferJsonSchema } from '../../config/json-schema.js';

export function define(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of transfer.json (also in schema/transfer.schema.json)')
    .action(() => printJson(transferJsonSchema()));
}
