import { describe, expect, it } from 'vitest';
import { issuedAtMs, newTokenId } from '../../src/lib/token-id.js';

describe('token ids', () => {
  it('are UUIDv7 carrying the issuing millisecond, and unique across pool refills', () => {
    const now = 1_800_000_000_123;
    const ids = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = newTokenId(now);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(issuedAtMs(id, Math.floor(now / 1000))).toBe(now);
      ids.add(id);
    }
    expect(ids.size).toBe(2000);
  });

  it('fall back to the start of the iat second when the id does not agree with iat', () => {
    expect(issuedAtMs(newTokenId(1_800_000_000_500), 1_700_000_000)).toBe(1_700_000_000_000);
    expect(issuedAtMs('not-a-uuid', 1_700_000_000)).toBe(1_700_000_000_000);
  });
});
