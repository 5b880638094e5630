/**
 * Getting an image into the page: drop on the zone, paste anywhere, or pick a file. The image is
 * decoded by the browser into RGB bytes (alpha dropped, as EVE's `convert('RGB')` does: no
 * compositing) for the in-tab preprocessing, and kept as a data URL of the original file for the
 * server, which decodes the same bytes itself.
 */
import type { PixelImage } from '@evejs/image';

export interface PickedImage {
  name: string;
  /** The original file as a data URL (what server mode sends). */
  dataUrl: string;
  /** Decoded for drawing. */
  bitmap: ImageBitmap;
  /** 8-bit RGB, row-major (what in-browser mode preprocesses). */
  pixels: PixelImage;
}

/** Decodes a file: no colour-space conversion and no premultiplication, so PNG bytes come out as stored. */
export async function decodeImageFile(file: Blob, name: string): Promise<PickedImage> {
  const bitmap = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'from-image' });
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas context');
  ctx.drawImage(bitmap, 0, 0);
  const rgba = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const rgb = new Uint8Array(bitmap.width * bitmap.height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i]!;
    rgb[j + 1] = rgba[i + 1]!;
    rgb[j + 2] = rgba[i + 2]!;
  }
  const dataUrl = await new Promise<string>((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result as string);
    r.onerror = () => reject(r.error ?? new Error('could not read the file'));
    r.readAsDataURL(file);
  });
  return { name, dataUrl, bitmap, pixels: { data: rgb, width: bitmap.width, height: bitmap.height, channels: 3 } };
}

/** Wires drop, paste and the file input to `onImage`; errors go to `onError`. */
export function attachImageInput(zone: HTMLElement, fileInput: HTMLInputElement, onImage: (image: PickedImage) => void, onError: (message: string) => void): void {
  const take = (file: File | null | undefined) => {
    if (!file) return;
    if (!file.type.startsWith('image/')) {
      onError(`${file.name || 'that'} is not an image (${file.type || 'unknown type'})`);
      return;
    }
    decodeImageFile(file, file.name || 'pasted image').then(onImage, (e: unknown) => onError(`could not decode ${file.name}: ${(e as Error).message}`));
  };
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('dragging');
    take(e.dataTransfer?.files[0]);
  });
  zone.addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', () => take(fileInput.files?.[0]));
  document.addEventListener('paste', (e) => {
    const item = [...(e.clipboardData?.items ?? [])].find((i) => i.type.startsWith('image/'));
    if (item) take(item.getAsFile());
  });
}
