// re2js behind one function: the extension bundle ships it as a file of its own (dist/re2Lib.js, see
// esbuild.js) that is required when a script's first regex is compiled, so activation never loads it.
import type { RE2JS } from 're2js';

export function re2(): typeof RE2JS {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('re2js') as typeof import('re2js')).RE2JS;
}
