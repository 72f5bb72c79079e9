// Types of build.mjs, a plain Node script.
import type { ChildProcess, StdioOptions } from 'node:child_process';

/** The repository root. */
export declare const ROOT: string;
/** The workerd binary of the pinned @cloudflare/workerd-linux-64. */
export declare const WORKERD: string;
/** Bundles a worker for workerd, `tokenward` resolved to the built package. */
export declare function bundleWorker(entry: string, outfile: string): Promise<void>;
/** A workerd config serving each worker on 127.0.0.1, without nodejs_compat. */
export declare function workerdConfig(
  workers: readonly { name: string; file: string; port: number; bindings?: Record<string, string> }[],
): string;
/** Starts `workerd serve` on a config file. */
export declare function startWorkerd(configFile: string, stdio?: StdioOptions): ChildProcess;
