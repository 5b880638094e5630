/**
 * Throughput of EVE preprocessing from JPEG (decode + Pillow-exact resize + pad/normalise/mask)
 * for the 672 and 1344 processors, against sharp's own decode + cubic resize to the same size in
 * the same run (the baseline: what a "just use sharp" pipeline would cost, without Pillow parity),
 * and the memory one image needs. Prints a Markdown table for the README.
 *
 *   node --conditions=@evejs/source --import tsx packages/image/bench/preprocess.bench.ts
 *
 * Single thread, one image at a time. The inputs are synthetic photo-sized JPEGs (noise over
 * gradients, quality 90) made with sharp.
 */
import sharp from 'sharp';
import { anypixelGeometry, decodeImage, loadBuiltinProcessorConfig, preprocessImage, type ProcessorConfig } from '../src/index.js';

async function makeJpeg(width: number, height: number): Promise<Buffer> {
  const noise = await sharp({ create: { width, height, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).raw().toBuffer();
  // Blend the noise with a gradient so the JPEG has photo-like size.
  const px = new Uint8Array(noise);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      px[i] = ((px[i] as number) + (x * 255) / width) >> 1;
      px[i + 1] = ((px[i + 1] as number) + (y * 255) / height) >> 1;
    }
  }
  return sharp(px, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

/**
 * Runs `fn` repeatedly for at least `minMs`; returns images per second of wall time and of CPU
 * time (user + system, all threads of the process). The machine these numbers come from is
 * shared, so CPU time is the steadier measure; both are printed.
 */
async function timeIt(fn: () => Promise<unknown>, minMs = 2000): Promise<{ wall: number; cpu: number }> {
  await fn(); // warm up
  let n = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < minMs || n < 3) {
    await fn();
    n++;
  }
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall: (n * 1000) / wallMs, cpu: (n * 1e6) / (c.user + c.system) };
}

/**
 * Bytes of the buffers alive at the peak of one preprocessImage(decodeImage(jpeg)) call: the
 * decoded RGB, the horizontal-pass intermediate (only the rows the vertical pass reads), the
 * resized image and the float32 output. An accounting from the code, because sampling
 * process.memoryUsage() around synchronous work misses the peak.
 */
function peakBytes(w: number, h: number, config: ProcessorConfig): number {
  const [nw, nh] = anypixelGeometry(w, h, config).needhw;
  const S = config.imageSize;
  return w * h * 3 + (nw !== w ? nw * h * 3 : 0) + nw * nh * 3 + 4 * S * S * 4;
}

const sizes: [string, number, number][] = [
  ['640×480', 640, 480],
  ['1920×1080', 1920, 1080],
  ['4032×3024', 4032, 3024],
];
const configs: [string, ProcessorConfig][] = [
  ['672', await loadBuiltinProcessorConfig('eve-patch14-anypixel-672')],
  ['1344', await loadBuiltinProcessorConfig('eve-patch14-anypixel-1344')],
];
sharp.concurrency(1);

console.log(`node ${process.version}, sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), 1 thread\n`);
console.log('| input JPEG | processor | evejs images/CPU-s (wall) | sharp decode+resize images/CPU-s (wall) | ratio sharp/evejs (CPU) | evejs decode only images/CPU-s | peak buffer memory per image |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
const f = (r: { wall: number; cpu: number }) => `${r.cpu.toFixed(1)} (${r.wall.toFixed(1)})`;
for (const [label, w, h] of sizes) {
  const jpeg = await makeJpeg(w, h);
  const decodeOnly = await timeIt(() => decodeImage(jpeg));
  for (const [name, config] of configs) {
    const [nw, nh] = anypixelGeometry(w, h, config).needhw;
    const ours = await timeIt(async () => preprocessImage(await decodeImage(jpeg), config));
    const base = await timeIt(() => sharp(jpeg).resize(nw, nh, { fit: 'fill', kernel: 'cubic' }).raw().toBuffer());
    const mem = peakBytes(w, h, config);
    console.log(
      `| ${label} (${(jpeg.length / 1024).toFixed(0)} KiB) | ${name} | ${f(ours)} | ${f(base)} | ${(base.cpu / ours.cpu).toFixed(2)}× | ${decodeOnly.cpu.toFixed(1)} | ${(mem / 2 ** 20).toFixed(1)} MiB |`,
    );
  }
}
