import { describe, expect, it } from 'vitest';
import { anypixelGeometry, blankImageTokenCount, computeBaseHW } from './anypixel-geometry.js';
import { builtinProcessorPath, loadProcessorConfig } from './processor-config.js';

const c672 = await loadProcessorConfig(builtinProcessorPath('eve-patch14-anypixel-672'));
const c1344 = await loadProcessorConfig(builtinProcessorPath('eve-patch14-anypixel-1344'));

describe('computeBaseHW / anypixelGeometry: the worked examples of spec §3.6', () => {
  const rows: [number, number, number[], number, number, number][] = [
    // W0, H0, basehw, v, N(672), N(1344)
    [640, 480, [336, 252, 42, 252, 42], 18, 451, 1765],
    [480, 640, [252, 336, 42, 252, 42], 18, 457, 1777],
    [1920, 1080, [336, 196, 70, 196, 70], 14, 351, 1373],
    [500, 333, [336, 224, 56, 224, 56], 16, 401, 1569],
    [336, 335, [336, 336, 0, 336, 0], 24, 601, 2353],
    [10000, 10, [336, 14, 154, 14, 168], 1, 26, 99],
  ];
  for (const [w, h, basehw, v, n672, n1344] of rows) {
    it(`${w}×${h}`, () => {
      expect(computeBaseHW(w, h, c672)).toEqual(basehw);
      const g = anypixelGeometry(w, h, c672);
      expect(g.validPatchesClip).toBe(v);
      expect(g.needhw).toEqual(basehw.map((x) => 2 * x));
      expect(g.numImageTokens).toBe(n672);
      expect(anypixelGeometry(w, h, c1344).numImageTokens).toBe(n1344);
    });
  }
});

describe('anypixelGeometry', () => {
  it('landscape: rows padded, crop box in patches, token grid', () => {
    const g = anypixelGeometry(640, 480, c672);
    expect(g.isLandscape).toBe(true);
    expect(g.validBox).toEqual([0, 84, 672, 588]);
    expect(g.patchBox).toEqual([6, 0, 41, 47]); // rows 84/14 … 588/14 − 1
    expect([g.tokenRows, g.tokenCols]).toEqual([18, 24]);
    const hd = anypixelGeometry(640, 480, c1344);
    expect(hd.validBox).toEqual([0, 168, 1344, 1176]);
    expect([hd.tokenRows, hd.tokenCols]).toEqual([36, 48]);
  });
  it('portrait and square pad columns; a square image is not padded', () => {
    const p = anypixelGeometry(480, 640, c672);
    expect(p.isLandscape).toBe(false);
    expect(p.validBox).toEqual([84, 0, 588, 672]);
    expect([p.tokenRows, p.tokenCols]).toEqual([24, 18]);
    const s = anypixelGeometry(50, 50, c672);
    expect(s.isPadded).toBe(false);
    expect(s.validBox).toEqual([0, 0, 672, 672]);
    expect(s.numImageTokens).toBe(601);
  });
  it('asymmetric padding when 24 − v is odd', () => {
    const g = anypixelGeometry(10000, 10, c672);
    expect(g.needhw).toEqual([672, 28, 308, 28, 336]);
  });
  it('rounds the short side up to whole patches, exact ratios staying put', () => {
    expect(computeBaseHW(700, 350, c672)).toEqual([336, 168, 84, 168, 84]); // 336·350/700/14 = 12 exactly
    expect(computeBaseHW(700, 351, c672)).toEqual([336, 182, 70, 182, 84]); // 12.03… → 13
  });
  it('every v from 1 to 24 gives a 0/1-aligned mask on the patch grid', () => {
    for (let h = 1; h <= 1000; h += 7) {
      for (const c of [c672, c1344]) {
        const g = anypixelGeometry(1000, h, c);
        for (const b of g.validBox) expect(b % 14).toBe(0);
        expect(g.tokenRows * 2).toBe(g.patchBox[2] - g.patchBox[0] + 1);
      }
    }
  });
  it('blank training images use 16×16 patches → 73 tokens', () => {
    expect(blankImageTokenCount(c672)).toBe(73);
  });
  it('rejects empty sizes', () => {
    expect(() => anypixelGeometry(0, 10, c672)).toThrow(/positive integers/);
  });
});
