// The runner of the Workspace Trust suite: the same as the main suite's, loading *.test.js from this folder.
// Its own folder, so the normal runs (trusted workspace) never load these tests; test/editor/run.mjs runs it
// with Workspace Trust on and an untrusted folder.
export { run } from '../suite/index';
