import { describe, expect, it } from 'vitest';
import { magnification, magnificationLabel, magnifications, powerLabel, scaleBar } from './scale';

describe('scaleBar', () => {
  it.each([
    // 0.25 µm/px at 1:1 (a 40× scan): 80 px = 20 µm.
    [0.25, 80, '20 µm'],
    [0.3, 166.67, '50 µm'],
    [2, 100, '200 µm'],
    [15, 133.33, '2 mm'],
    [0.001, 100, '100 nm'],
  ])('at %f µm per screen pixel draws %f px for %s', (mpsp, px, label) => {
    const bar = scaleBar(mpsp);
    expect(bar?.label).toBe(label);
    expect(bar?.pixels).toBeCloseTo(px, 1);
  });

  it('refuses a slide without microns per pixel', () => {
    expect(scaleBar(0)).toBeNull();
    expect(scaleBar(Number.NaN)).toBeNull();
  });
});

describe('magnification', () => {
  it('lists the steps up to the objective', () => {
    expect(magnifications(40)).toEqual([1, 2, 5, 10, 20, 40]);
    expect(magnifications(20)).toEqual([1, 2, 5, 10, 20]);
  });

  it('is the objective at 1:1 and scales with the zoom', () => {
    expect(magnification(40, 1)).toBe(40);
    expect(magnificationLabel(magnification(40, 0.0625))).toBe('2.5×');
    expect(magnificationLabel(magnification(20, 0.5))).toBe('10×');
  });
});

describe('powerLabel', () => {
  const cases: [number, number, string][] = [
    [20, 0.5, '10×'],
    [20, 1, '20×'],
    [20, 1.01, '20×'],
    [20, 2, '20× · digital 2×'],
    [40, 1.48, '40× · digital 1.5×'],
    [40, 0.0625, '2.5×'],
  ];
  for (const [objective, s, want] of cases) {
    it(`${objective}× scan at ${s} screen px per image px is ${want}`, () => expect(powerLabel(objective, s)).toBe(want));
  }
});
