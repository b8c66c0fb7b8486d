// Runs the UI tests for the VS Code version in TCP_WORKBENCH_UI_VSCODE and prints the counts as JSON on the
// last line: how run.mjs runs them for a second version (mocha loads a test file only once per process).
// A separate entry file, because the test files import ui.mjs and a top-level await there would wait on itself.
import { runUiTests, uiOptions } from './ui.mjs';

const r = await runUiTests(uiOptions);
console.log(JSON.stringify(r));
process.exit(0);
