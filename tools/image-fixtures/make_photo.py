"""Writes a seeded photo-like JPEG/PNG for agreement.ts: make_photo.py <seed> <w> <h> <path> [quality] [subsampling]"""
import sys
import numpy as np
from PIL import Image

seed, w, h, path = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rng = np.random.default_rng(seed)
y, x = np.mgrid[0:h, 0:w].astype(np.float64)
planes = []
for c in range(3):
    fx, fy = rng.uniform(0.5, 6.0, 2)
    p = 127 + 80 * np.sin(2 * np.pi * (fx * x / w + fy * y / h) + rng.uniform(0, 6))
    p[(x // max(1, w // 7) + y // max(1, h // 5)) % 2 == 0] += 40
    p += rng.normal(0, 18, (h, w))
    planes.append(np.clip(np.round(p), 0, 255).astype(np.uint8))
im = Image.fromarray(np.stack(planes, axis=-1))
if path.endswith(".jpg"):
    im.save(path, quality=int(sys.argv[5]), subsampling=int(sys.argv[6]))
else:
    im.save(path)
