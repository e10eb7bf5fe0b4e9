/** Reads a `--cli-input-json` value the way the AWS CLI does: inline JSON, `file://path` or `-` for stdin. */
import { readFileSync } from 'node:fs';

export function readCliInputJson(value: string): unknown {
  let text = value;
  if (value.startsWith('file://')) text = readFileSync(value.slice(7), 'utf8');
  else if (value === '-') text = readFileSync(0, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`Error parsing parameter 'cli-input-json': Invalid JSON received. ${(e as Error).message}`);
  }
}
