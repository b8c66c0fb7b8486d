// @peculiar/x509 behind one function: the extension bundle ships it as a file of its own (dist/x509Lib.js,
// see esbuild.js) that is required only when a certificate is generated or its signature named, so the
// plain path and activation never load it.
import { installReflectShim } from './reflectShim';

export function x509(): typeof import('@peculiar/x509') {
  installReflectShim();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@peculiar/x509') as typeof import('@peculiar/x509');
}
