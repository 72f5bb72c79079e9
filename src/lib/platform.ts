/**
 * What the runtime offers beyond the Web platform, found without importing any
 * `node:` module: tokenward loads on runtimes that have none (workerd without
 * `nodejs_compat`), and uses `node:crypto` and `Buffer` where they exist (Node,
 * Bun, Deno), because they answer synchronously and faster.
 * @packageDocumentation
 */

type NodeCrypto = typeof import('node:crypto');
type NodeTimers = typeof import('node:timers/promises');

interface NodeProcess {
  readonly getBuiltinModule?: (id: string) => unknown;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly versions?: Readonly<Record<string, string | undefined>>;
  readonly emitWarning?: (message: string, options?: { type?: string; code?: string }) => void;
}

const nodeProcess = (globalThis as { process?: NodeProcess }).process;

function builtin<T>(id: string): T | undefined {
  try {
    // process.getBuiltinModule (Node >= 20.16, Bun, Deno, workerd with nodejs_compat) loads a
    // built-in synchronously without a static import that a runtime without one would fail on.
    return nodeProcess?.getBuiltinModule?.(id) as T | undefined;
  } catch {
    return undefined;
  }
}

const found = {
  crypto: builtin<NodeCrypto>('node:crypto'),
  timers: builtin<NodeTimers>('node:timers/promises'),
  buffer: (globalThis as { Buffer?: typeof Buffer }).Buffer,
};

let webOnly = false;

/** `node:crypto`, or `undefined` where the runtime has none (or the Web path is forced). */
export function nodeCrypto(): NodeCrypto | undefined {
  return webOnly ? undefined : found.crypto;
}

/** Node's `Buffer`, or `undefined` where the runtime has none (or the Web path is forced). */
export function nodeBuffer(): typeof Buffer | undefined {
  return webOnly ? undefined : found.buffer;
}

/**
 * For tests only (not exported by any entry point): makes tokenward behave as on a
 * runtime without `node:crypto` and `Buffer`, so that Node runs the Web Crypto path.
 * Keys prepared before the switch keep the path they were prepared on.
 */
export function forceWebPlatform(on: boolean): void {
  webOnly = on;
}

/** The CPUs the runtime reports (`os.availableParallelism()`, else `navigator.hardwareConcurrency`), at least 1. */
export function cpuCount(): number {
  const os = builtin<{ availableParallelism?: () => number }>('node:os');
  const navigator = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const count = os?.availableParallelism?.() ?? navigator?.hardwareConcurrency;
  return typeof count === 'number' && count >= 1 ? count : 1;
}

/** An environment variable, or `undefined` where the runtime has no `process.env`. */
export function envVar(name: string): string | undefined {
  return nodeProcess?.env?.[name];
}

/** Writes a process warning where the runtime has them, else to the console. */
export function emitWarning(message: string, code: string): void {
  if (typeof nodeProcess?.emitWarning === 'function') {
    nodeProcess.emitWarning(message, { type: 'TokenwardWarning', code });
  } else {
    console.warn(`TokenwardWarning [${code}]: ${message}`);
  }
}

/** The runtime's name as users know it: Node.js, Bun, Deno, workerd, or a generic name. */
export function runtimeName(): string {
  const g = globalThis as { Bun?: unknown; Deno?: unknown; navigator?: { userAgent?: string } };
  if (g.Bun !== undefined) return 'Bun';
  if (g.Deno !== undefined) return 'Deno';
  if (g.navigator?.userAgent === 'Cloudflare-Workers') return 'workerd (Cloudflare Workers)';
  if (nodeProcess?.versions?.node !== undefined) return 'Node.js';
  return 'this runtime';
}

/**
 * Waits `ms` milliseconds. Uses `node:timers/promises` where it exists, whose
 * timers the fake timers of test runners (vi.useFakeTimers, jest) leave alone, so
 * a wait on the real clock still ends under them; else the global `setTimeout`.
 */
export function sleep(ms: number): Promise<void> {
  if (found.timers !== undefined) return found.timers.setTimeout(ms).then(() => undefined);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
