import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import { ENTRY_POINTS } from '../scripts/entry-points.js';
import { ROOT } from './support/dist.js';

const REPOSITORY = 'https://github.com/tokenward/tokenward';
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** Every link target in Markdown: inline links and images, reference definitions, HTML href and src. */
function linkTargets(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [
    ...withoutCode.matchAll(/\]\(\s*<?([^)\s>]+)/g),
    ...withoutCode.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm),
    ...withoutCode.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)["']/g),
  ].map((match) => match[1]!);
}

describe('what npm shows of the package', () => {
  it('package.json names the repository, the home page and where to report bugs', () => {
    expect(pkg.repository).toEqual({ type: 'git', url: `git+${REPOSITORY}.git` });
    expect(pkg.homepage).toBe(`${REPOSITORY}#readme`);
    expect(pkg.bugs).toEqual({ url: `${REPOSITORY}/issues` });
  });

  // npm's page shows the README without the repository around it: a relative link leads nowhere there.
  it('the README links only to absolute URLs (or anchors of its own)', () => {
    const targets = linkTargets(read('README.md'));
    expect(targets.length).toBeGreaterThan(10);
    const relative = targets.filter((target) => !/^(?:https?:\/\/|mailto:|#)/.test(target));
    expect(relative).toEqual([]);
  });

  it("the README's links into the repository point at its main branch, at files that exist", () => {
    const prefix = `${REPOSITORY}/blob/main/`;
    const inRepository = linkTargets(read('README.md')).filter((target) =>
      target.startsWith(`${REPOSITORY}/`),
    );
    expect(inRepository.length).toBeGreaterThan(0);
    for (const target of inRepository) {
      expect(target.startsWith(prefix), target).toBe(true);
      expect(() => read(target.slice(prefix.length).split('#')[0]!), target).not.toThrow();
    }
  });

  it('recognises the link forms it checks', () => {
    expect(
      linkTargets(
        '[a](docs/a.md) ![b](<img.png>) `[c](code.md)`\n[d]: ref.md\n<a href="x.md">x</a> [e](#top)',
      ),
    ).toEqual(['docs/a.md', 'img.png', '#top', 'ref.md', 'x.md']);
  });
});

describe('docs/getting-started.md', () => {
  it('lists every entry point of the package', () => {
    const guide = read('docs/getting-started.md');
    const start = guide.indexOf('Its entry points are');
    expect(start).toBeGreaterThan(-1);
    const table = guide.slice(start, guide.indexOf('\n## ', start));
    for (const { specifier } of ENTRY_POINTS) expect(table, specifier).toContain(`\`${specifier}\``);
  });
});
