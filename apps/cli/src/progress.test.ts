import { describe, expect, it } from 'vitest';
import { formatSeconds } from './progress.js';

describe('formatSeconds', () => {
  it('never shows 60 in the seconds or minutes place', () => {
    expect(formatSeconds(59.6)).toBe('1m00s');
    expect(formatSeconds(119.6)).toBe('2m00s');
    expect(formatSeconds(3599.7)).toBe('1h00m');
  });
  it('formats each range', () => {
    expect(formatSeconds(7.2)).toBe('7s');
    expect(formatSeconds(125)).toBe('2m05s');
    expect(formatSeconds(7322)).toBe('2h02m');
    expect(formatSeconds(Number.POSITIVE_INFINITY)).toBe('?');
  });
});
