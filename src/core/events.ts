// A small typed event emitter with the shape of vscode.Event, so the extension layer can hand core
// events straight to views without adapters, while the core stays vscode-free.

export interface Disposable {
  dispose(): void;
}

/** Subscribe with a listener; the returned Disposable unsubscribes. */
export type Event<T> = (listener: (e: T) => void) => Disposable;

export class Emitter<T> implements Disposable {
  private listeners = new Set<(e: T) => void>();
  private disposed = false;

  readonly event: Event<T> = (listener) => {
    if (this.disposed) {
      return { dispose: () => undefined };
    }
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  fire(e: T): void {
    for (const l of [...this.listeners]) {
      // A failing listener must not break the emitter or the other listeners (a view bug must not
      // stop a server); the error is re-thrown asynchronously so it is still seen.
      try {
        l(e);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }
}

/** Owns resources: `_register()` what you create, `dispose()` releases them once, newest first. */
export abstract class DisposableBase implements Disposable {
  private readonly toDispose: Disposable[] = [];
  private isDisposed = false;

  protected _register<T extends Disposable>(d: T): T {
    if (this.isDisposed) {
      d.dispose();
    } else {
      this.toDispose.push(d);
    }
    return d;
  }

  protected get disposed(): boolean {
    return this.isDisposed;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.isDisposed = true;
    for (const d of this.toDispose.splice(0).reverse()) {
      d.dispose();
    }
  }
}
