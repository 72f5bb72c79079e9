// The example imports tokenward from the repository's src/ (see tsconfig.json), whose imports name
// the compiled `.js` files: the bundler resolves them to the `.ts` sources, and its root is the
// repository so that it may read them. An app imports the published package and needs neither.
import { fileURLToPath } from 'node:url';

/** @type {import('next').NextConfig} */
const config = {
  turbopack: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    resolveExtensions: ['.ts', '.tsx', '.js', '.mjs', '.json'],
  },
  experimental: { extensionAlias: { '.js': ['.ts', '.js'] } },
  // bcrypt is a native addon: loaded by Node at run time, never bundled (Next lists it by default too).
  serverExternalPackages: ['@node-rs/bcrypt'],
};

export default config;
