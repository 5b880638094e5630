/**
 * sharp, loaded on first use: it is a native Node module, so a static import would make every
 * browser bundle of @evejs/image fail. In a browser only the pure-TS preprocessing (geometry,
 * Pillow resize, normalisation) is used; decoding there is the page's job (canvas → RGB).
 */
import type SharpModule from 'sharp';
import { EveError } from '@evejs/tensor';

type Sharp = typeof SharpModule;
let cached: Promise<Sharp> | undefined;

/** The sharp function (Node only; rejects with an EveError elsewhere). */
export function loadSharp(): Promise<Sharp> {
  // A variable specifier keeps bundlers from following the native module into browser builds.
  const specifier = 'sharp';
  cached ??= (import(/* @vite-ignore */ specifier) as Promise<{ default: Sharp }>).then(
    (m) => m.default,
    (e: unknown) => {
      cached = undefined;
      throw new EveError(`decoding images needs sharp (Node only): ${(e as Error).message}`);
    },
  );
  return cached;
}
