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

/** A bag of owned things: `add()` what you create, `clear()` releases them (newest first) and stays usable. */
export class DisposableStore implements Disposable {
  private readonly items: Disposable[] = [];
  private isDisposed = false;

  /** Takes ownership of `d` (disposed at once when the store already is). */
  add<T extends Disposable>(d: T): T {
    if (this.isDisposed) {
      d.dispose();
    } else {
      this.items.push(d);
    }
    return d;
  }

  get disposed(): boolean {
    return this.isDisposed;
  }

  /** Disposes everything held so far, newest first; later `add()`s are held again. */
  clear(): void {
    for (const d of this.items.splice(0).reverse()) {
      d.dispose();
    }
  }

  dispose(): void {
    this.isDisposed = true;
    this.clear();
  }
}

/** One owned thing per key: `set()` disposes what the key held before, `delete()` disposes it. */
export class DisposableMap<K, V extends Disposable = Disposable> implements Disposable {
  private readonly map = new Map<K, V>();
  private isDisposed = false;

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }

  get size(): number {
    return this.map.size;
  }

  set(key: K, value: V): void {
    if (this.isDisposed) {
      value.dispose();
      return;
    }
    const old = this.map.get(key);
    this.map.set(key, value);
    if (old !== undefined && old !== value) {
      old.dispose();
    }
  }

  /** Disposes and forgets the key's value (nothing when it has none). */
  delete(key: K): void {
    const old = this.map.get(key);
    this.map.delete(key);
    old?.dispose();
  }

  /** Forgets the key's value without disposing it (its owner disposes it). */
  take(key: K): V | undefined {
    const v = this.map.get(key);
    this.map.delete(key);
    return v;
  }

  dispose(): void {
    this.isDisposed = true;
    const all = [...this.map.values()];
    this.map.clear();
    for (const d of all) {
      d.dispose();
    }
  }
}

/** Owns resources: `_register()` what you create, `dispose()` releases them once, newest first. */
export abstract class DisposableBase implements Disposable {
  private readonly store = new DisposableStore();

  protected _register<T extends Disposable>(d: T): T {
    return this.store.add(d);
  }

  protected get disposed(): boolean {
    return this.store.disposed;
  }

  dispose(): void {
    if (!this.store.disposed) {
      this.store.dispose();
    }
  }
}
