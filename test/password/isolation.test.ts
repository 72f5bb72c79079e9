import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const coreEntry = resolve(root, 'src/index.ts');
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;

/** Every source file the core entry reaches through relative imports, with its bare imports. */
function coreGraph(): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const queue = [coreEntry];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    const bare: string[] = [];
    seen.set(file, bare);
    for (const [, specifier = ''] of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      if (!specifier.startsWith('.')) {
        bare.push(specifier);
        continue;
      }
      const target = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
      const candidates = [target, `${target}.ts`, resolve(target, 'index.ts')];
      const found = candidates.find((c) => c.endsWith('.ts') && existsSync(c));
      if (found !== undefined) queue.push(found);
    }
  }
  return seen;
}

describe('the core package', () => {
  it.skipIf(!existsSync(coreEntry))('does not import @node-rs/bcrypt, directly or through a file', () => {
    const offenders = [...coreGraph()]
      .filter(([, bare]) => bare.some((s) => s === '@node-rs/bcrypt' || s.startsWith('@node-rs/bcrypt/')))
      .map(([file]) => file.slice(root.length + 1));
    expect(offenders).toEqual([]);
  });
});
