import { describe, expect, it } from '@jest/globals';
import { formatDuration, parseDuration } from '../../src/core/duration.js';

describe('parseDuration', () => {
  it.each([
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['3d', 259_200_000],
    ['45s', 45_000],
    ['10', 600_000],
    [' 2H ', 7_200_000],
    ['soon', undefined],
    ['1.5h', undefined],
    ['', undefined],
  ])('%j → %p', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});

describe('formatDuration', () => {
  it.each([
    [250, '250ms'],
    [45_000, '45s'],
    [930_000, '15m30s'],
    [90_061_000, '1d1h1m1s'],
  ])('%p → %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
