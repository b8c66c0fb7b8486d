// The few Reflect metadata functions @peculiar/x509's dependency tsyringe asks for at load time (the
// `reflect-metadata` package's API, not its whole weight). Installed only when absent, and only when a
// certificate is generated or read with @peculiar/x509, never on the plain path.
type Key = unknown;
const store = new WeakMap<object, Map<Key, unknown>>();

function own(target: object, create: boolean): Map<Key, unknown> | undefined {
  let m = store.get(target);
  if (!m && create) {
    m = new Map();
    store.set(target, m);
  }
  return m;
}

export function installReflectShim(): void {
  const r = Reflect as unknown as Record<string, unknown>;
  if (typeof r.getMetadata === 'function') {
    return;
  }
  const getOwnMetadata = (key: Key, target: object): unknown => own(target, false)?.get(key);
  const getMetadata = (key: Key, target: object): unknown => {
    for (let t: object | null = target; t; t = Object.getPrototypeOf(t) as object | null) {
      const m = own(t, false);
      if (m?.has(key)) {
        return m.get(key);
      }
    }
    return undefined;
  };
  const defineMetadata = (key: Key, value: unknown, target: object): void => void own(target, true)!.set(key, value);
  Object.assign(r, {
    getOwnMetadata,
    getMetadata,
    defineMetadata,
    hasOwnMetadata: (key: Key, target: object) => own(target, false)?.has(key) ?? false,
    hasMetadata: (key: Key, target: object) => getMetadata(key, target) !== undefined,
    metadata: (key: Key, value: unknown) => (target: object) => defineMetadata(key, value, target),
  });
}
