// A QuickPick that offers what the user types as its first item, above a list of known items, and
// resolves once: with what the accepted item stands for, or undefined when it is hidden (Escape).
import * as vscode from 'vscode';

interface TypedQuickPickOptions<T extends vscode.QuickPickItem, R> {
  title: string;
  placeholder: string;
  known: T[];
  /** The item for what is typed (called on every keystroke), or undefined to show only `known`. */
  typed: (value: string) => T | undefined;
  /** What an accepted item stands for; undefined keeps the pick open (e.g. an item that shows an error). */
  accept: (item: T) => R | undefined;
  matchOnDescription?: boolean;
}

export function showTypedQuickPick<T extends vscode.QuickPickItem, R>(o: TypedQuickPickOptions<T, R>): Promise<R | undefined> {
  const qp = vscode.window.createQuickPick<T>();
  qp.title = o.title;
  qp.placeholder = o.placeholder;
  qp.ignoreFocusOut = true;
  qp.matchOnDescription = o.matchOnDescription ?? false;
  const update = () => {
    const typed = o.typed(qp.value.trim());
    qp.items = typed ? [typed, ...o.known] : o.known;
  };
  update();
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: R | undefined) => {
      if (!done) {
        done = true;
        resolve(r);
        qp.dispose();
      }
    };
    qp.onDidChangeValue(update);
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0] ?? qp.activeItems[0];
      const r = item ? o.accept(item) : undefined;
      if (r !== undefined) {
        finish(r);
      }
    });
    qp.onDidHide(() => finish(undefined));
    qp.show();
  });
}
