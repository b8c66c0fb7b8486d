// The ways to own resources: DisposableStore (a bag), DisposableMap (one per key) and DisposableBase.
import * as assert from 'node:assert/strict';
import { Disposable, DisposableBase, DisposableMap, DisposableStore } from '../../src/core/events';

/** A disposable that writes its name to `log` each time it is disposed. */
function item(log: string[], name: string): Disposable {
  return { dispose: () => log.push(name) };
}

describe('DisposableStore', () => {
  it('clear() disposes newest first and the store takes more afterwards', () => {
    const log: string[] = [];
    const store = new DisposableStore();
    store.add(item(log, 'a'));
    store.add(item(log, 'b'));
    store.clear();
    assert.deepEqual(log, ['b', 'a']);
    store.add(item(log, 'c'));
    store.clear();
    store.clear();
    assert.deepEqual(log, ['b', 'a', 'c']);
  });

  it('dispose() runs once; an add() after it disposes at once', () => {
    const log: string[] = [];
    const store = new DisposableStore();
    store.add(item(log, 'a'));
    store.dispose();
    store.dispose();
    assert.deepEqual(log, ['a']);
    assert.equal(store.disposed, true);
    store.add(item(log, 'late'));
    assert.deepEqual(log, ['a', 'late']);
  });
});

describe('DisposableMap', () => {
  it('set() disposes what the key held, delete() disposes it, take() does not', () => {
    const log: string[] = [];
    const map = new DisposableMap<number>();
    map.set(1, item(log, 'one'));
    map.set(1, item(log, 'one again'));
    assert.deepEqual(log, ['one']);
    map.delete(1);
    assert.deepEqual(log, ['one', 'one again']);
    assert.equal(map.has(1), false);
    const two = item(log, 'two');
    map.set(2, two);
    assert.equal(map.take(2), two);
    assert.equal(map.size, 0);
    assert.deepEqual(log, ['one', 'one again'], 'take() leaves disposing to the caller');
  });

  it('dispose() disposes every value once, and a set() after it disposes at once', () => {
    const log: string[] = [];
    const map = new DisposableMap<string>();
    map.set('a', item(log, 'a'));
    map.set('b', item(log, 'b'));
    map.dispose();
    map.dispose();
    assert.deepEqual(log.sort(), ['a', 'b']);
    map.set('c', item(log, 'c'));
    assert.equal(map.get('c'), undefined);
    assert.deepEqual(log.sort(), ['a', 'b', 'c']);
  });
});

describe('DisposableBase', () => {
  class Owner extends DisposableBase {
    constructor(log: string[]) {
      super();
      this._register(item(log, 'first'));
      this._register(item(log, 'second'));
    }
    isGone(): boolean {
      return this.disposed;
    }
  }

  it('disposes what it registered once, newest first', () => {
    const log: string[] = [];
    const o = new Owner(log);
    assert.equal(o.isGone(), false);
    o.dispose();
    o.dispose();
    assert.deepEqual(log, ['second', 'first']);
    assert.equal(o.isGone(), true);
  });
});
