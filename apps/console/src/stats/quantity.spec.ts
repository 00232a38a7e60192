import { describe, expect, it } from '@jest/globals';
import { parseQuantity } from './quantity.js';

describe('parseQuantity', () => {
  it('reads CPU and memory quantities in cores and bytes', () => {
    expect(parseQuantity('250m')).toBe(0.25);
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity('61234567n')).toBeCloseTo(0.061234567, 12);
    expect(parseQuantity('4096Mi')).toBe(4096 * 2 ** 20);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(parseQuantity('lots')).toBeUndefined();
    expect(parseQuantity(undefined)).toBeUndefined();
  });
});
