// Runs work on a list of items, at most `jobs` at a time: the `.tcp` runner's `--jobs N` in the CLI and the
// `tcpWorkbench.script.jobs` setting in the editor.

/** Runs `work` on every item, at most `jobs` at a time; results in the items' order. */
export async function pool<T, R>(items: readonly T[], jobs: number, work: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, lane));
  return results;
}
