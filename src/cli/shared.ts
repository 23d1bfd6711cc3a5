// Flags shared by many commands, defined once.
import { Option } from '@commander-js/extra-typings';

export const configOption = () => new Option('-c, --config <file>', 'workspace config (default: ./transfer.json or ./transfer-control.json)');
export const jsonOption = () => new Option('--json', 'print the result as JSON');
export const offlineOption = () => new Option('--offline', 'use the local Debian Jupyter base; never contact a registry');
