// TypeDoc's options. The entry points come from entry-points.json, the one list
// of the package's public entry points (see scripts/entry-points.ts).
import { readFileSync } from 'node:fs';

/** @type {ReadonlyArray<{ subpath: string; source: string }>} */
const entryPoints = JSON.parse(readFileSync(new URL('./entry-points.json', import.meta.url), 'utf8'));

/** @type {Partial<import('typedoc').TypeDocOptions>} */
const config = {
  entryPoints: entryPoints.map(({ source }) => source),
  name: 'tokenward',
  entryPointStrategy: 'resolve',
  tsconfig: 'tsconfig.typedoc.json',
  out: 'docs/api',
  projectDocuments: ['docs/*.md'],
  includeVersion: true,
  excludePrivate: true,
  excludeProtected: true,
  excludeInternal: true,
  excludeExternals: true,
  disableSources: true,
  sort: ['kind', 'instance-first', 'alphabetical-ignoring-documents'],
  treatWarningsAsErrors: true,
  treatValidationWarningsAsErrors: true,
  validation: {
    notExported: true,
    invalidLink: true,
    invalidPath: true,
    rewrittenLink: true,
    notDocumented: true,
    unusedMergeModuleWith: true,
  },
  requiredToBeDocumented: [
    'Enum',
    'EnumMember',
    'Variable',
    'Function',
    'Class',
    'Interface',
    'Property',
    'Method',
    'Accessor',
    'TypeAlias',
  ],
  // Internal tables a public type is derived from: the type is documented, the table is not API.
  intentionallyNotExported: [
    'ALGORITHMS',
    'RESERVED_CLAIM_NAMES',
    'TokenRoutesUserBase',
    'RegisteredTypes',
    // The deprecated claim-typing namespace: still read, no longer documented.
    '__global.Tokenward.Claims',
  ],
  highlightLanguages: [
    'bash',
    'console',
    'css',
    'html',
    'javascript',
    'js',
    'json',
    'jsonc',
    'json5',
    'yaml',
    'tsx',
    'typescript',
    'ts',
    'sh',
    'shell',
    'text',
    'http',
    'python',
    'mermaid',
    'sql',
    'diff',
  ],
};

export default config;
