// rate-limiter-flexible's entry requires its cluster limiter, which loads node:cluster and
// node:crypto; its memory limiter alone loads no node: module. Typed as the entry types it.
declare module 'rate-limiter-flexible/lib/RateLimiterMemory.js' {
  import type { RateLimiterMemory } from 'rate-limiter-flexible';

  const RateLimiterMemoryClass: typeof RateLimiterMemory;
  export default RateLimiterMemoryClass;
}
