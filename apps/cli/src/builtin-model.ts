/**
 * The built-in model: the small EVE trained on the shapes world by `eve train --recipe shapes`,
 * committed at `<repo>/models/eve-shapes-tiny`. Commands that take `--model` default to it, so a
 * new user can chat, evaluate and serve without downloading anything.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BUILTIN_MODEL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models/eve-shapes-tiny');

/** An example image the README's first command asks about (a held-out shapes scene). */
export const BUILTIN_EXAMPLE_IMAGE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples/shapes.png');
