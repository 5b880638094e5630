// The committed tiny EVE checkpoint and its PyTorch goldens (tools/model-fixtures/generate.py).
import { fileURLToPath } from 'node:url';
import { engine, openCheckpoint, registerCpuBackend, type SafetensorsReader } from '@evejs/tensor';

export const TINY_EVE_DIR = fileURLToPath(new URL('./fixtures/tiny-eve', import.meta.url));
export const GOLDEN_CASES = ['square', 'wide', 'tall', 'text'] as const;

export interface GoldenCase {
  name: string;
  inputIds: number[];
  pixelValues: Float32Array | null;
  logits: Float32Array;
  imageEmbeds: Float32Array | null;
}

export async function readGolden(): Promise<{ cases: GoldenCase[]; greedyTokens: number[] }> {
  registerCpuBackend();
  await engine.initBackend('cpu');
  const g: SafetensorsReader = await openCheckpoint(`${TINY_EVE_DIR}/golden.safetensors`);
  const host = async (key: string) => {
    const t = await g.read(key, { backend: 'cpu' });
    try {
      return t.dataSync();
    } finally {
      t.dispose();
    }
  };
  try {
    const cases: GoldenCase[] = [];
    for (const name of GOLDEN_CASES) {
      const hasImage = g.has(`${name}.pixel_values`);
      cases.push({
        name,
        inputIds: Array.from(await host(`${name}.input_ids`)),
        pixelValues: hasImage ? Float32Array.from(await host(`${name}.pixel_values`)) : null,
        logits: (await host(`${name}.logits`)) as Float32Array,
        imageEmbeds: hasImage ? ((await host(`${name}.image_embeds`)) as Float32Array) : null,
      });
    }
    return { cases, greedyTokens: Array.from(await host('square.greedy_tokens')) };
  } finally {
    await g.close();
  }
}
