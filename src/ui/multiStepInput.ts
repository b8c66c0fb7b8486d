// A wizard of quick inputs shown one after another in the same widget: a step counter ("2/3"), a Back
// button on every step after the first that returns to the step before with its answer kept, validation
// that keeps a box open on bad input, and Escape that cancels the whole wizard (the caller starts nothing).
// Modelled on VS Code's quickinput-sample; here the step number is counted, not passed by each step.
import * as vscode from 'vscode';

/**
 * One question: asks through `input`, writes the answer into `state`, and returns the step that follows
 * (undefined: this was the last). Going Back runs the step before again, so a step reads its initial value
 * from `state`: what was entered is kept.
 */
export type Step<S> = (input: MultiStepInput, state: S) => Promise<Step<S> | undefined>;

export interface PickOptions<T extends vscode.QuickPickItem> {
  title: string;
  placeholder: string;
  items: readonly T[];
  /** The item to highlight (the earlier answer when coming back). */
  active?: (item: T) => boolean;
}

export interface InputOptions {
  title: string;
  prompt: string;
  value: string;
  placeholder?: string;
  /** The problem with `value` (shown under the box, which stays open), or undefined when it is fine. */
  validate?: (value: string) => string | undefined;
}

// Thrown through a step to the loop in run(): a step never catches them.
const BACK = Symbol('back');
const CANCEL = Symbol('cancel');

type Widget = vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox;

export class MultiStepInput {
  private current: Widget | undefined;
  private step = 0;
  /** What was typed into a box that was left with Back before it was accepted, by title and prompt. */
  private readonly drafts = new Map<string, string>();

  private constructor(private readonly totalSteps: () => number) {}

  /**
   * Runs the wizard from `first`; resolves with `state` once the last step has answered, or undefined when
   * the user cancelled (Escape, or a dialog closed). `totalSteps` is read as each step is shown, so it may
   * depend on an earlier answer.
   */
  static async run<S>(state: S, first: Step<S>, totalSteps: (state: S) => number): Promise<S | undefined> {
    const input = new MultiStepInput(() => totalSteps(state));
    const history: Step<S>[] = [];
    let next: Step<S> | undefined = first;
    try {
      while (next) {
        history.push(next);
        input.step = history.length;
        try {
          next = await next(input, state);
        } catch (e) {
          if (e !== BACK) {
            throw e;
          }
          history.pop();
          next = history.pop() ?? first;
        }
        input.hold();
      }
      return state;
    } catch (e) {
      if (e === CANCEL) {
        return undefined;
      }
      throw e;
    } finally {
      input.current?.dispose();
    }
  }

  /** A pick of one item; accepting it (Enter or a click) answers the step. */
  pick<T extends vscode.QuickPickItem>(o: PickOptions<T>): Promise<T> {
    const qp = vscode.window.createQuickPick<T>();
    qp.placeholder = o.placeholder;
    qp.items = o.items;
    const active = o.active && o.items.find(o.active);
    if (active) {
      qp.activeItems = [active];
    }
    return this.show<T>(qp, o.title, (resolve) => [
      qp.onDidAccept(() => {
        const item = qp.selectedItems[0] ?? qp.activeItems[0];
        if (item) {
          resolve(item);
        }
      }),
    ]);
  }

  /** A text box; Enter answers the step only when `validate` finds no problem. */
  input(o: InputOptions): Promise<string> {
    const box = vscode.window.createInputBox();
    const key = `${o.title}\n${o.prompt}`;
    const check = (v: string) => o.validate?.(v);
    box.prompt = o.prompt;
    box.placeholder = o.placeholder;
    box.value = this.drafts.get(key) ?? o.value;
    // An empty box is not scolded before anything is typed; a kept value is checked at once.
    box.validationMessage = box.value === '' ? undefined : check(box.value);
    return this.show<string>(
      box,
      o.title,
      (resolve) => [
        box.onDidChangeValue((v) => {
          box.validationMessage = check(v);
        }),
        box.onDidAccept(() => {
          const problem = check(box.value);
          box.validationMessage = problem;
          if (problem === undefined) {
            this.drafts.delete(key);
            resolve(box.value);
          }
        }),
      ],
      () => this.drafts.set(key, box.value),
    );
  }

  /**
   * A dialog of VS Code's own (the folder dialog) as a step. It cannot carry a Back button or a step
   * counter, so it must be the last step: the quick input closes, and closing the dialog cancels the wizard.
   */
  async dialog<T>(open: () => Thenable<T | undefined>): Promise<T> {
    this.current?.dispose();
    this.current = undefined;
    const answer = await open();
    if (answer === undefined) {
      throw CANCEL;
    }
    return answer;
  }

  /** Between two steps: the answered widget stays up (no flicker) but takes no more input. */
  private hold(): void {
    if (this.current) {
      this.current.enabled = false;
      this.current.busy = true;
    }
  }

  private show<R>(q: Widget, title: string, wire: (resolve: (r: R) => void) => vscode.Disposable[], onBack?: () => void): Promise<R> {
    q.title = title;
    q.step = this.step;
    q.totalSteps = Math.max(this.totalSteps(), this.step);
    q.ignoreFocusOut = true; // clicking elsewhere (to look up a port) must not lose the earlier steps
    q.buttons = this.step > 1 ? [vscode.QuickInputButtons.Back] : [];
    const subscriptions: vscode.Disposable[] = [];
    return new Promise<R>((resolve, reject) => {
      subscriptions.push(
        ...wire(resolve),
        q.onDidTriggerButton((button) => {
          if (button === vscode.QuickInputButtons.Back) {
            onBack?.();
            reject(BACK);
          }
        }),
        q.onDidHide(() => reject(CANCEL)),
      );
      this.current?.dispose();
      this.current = q;
      q.show();
    }).finally(() => subscriptions.forEach((d) => d.dispose()));
  }
}
