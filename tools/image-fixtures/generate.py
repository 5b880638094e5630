#!/usr/bin/python3
"""Generates @evejs/image's golden fixtures from Pillow (Debian bookworm's python3-pil 9.4.0 and
numpy 1.24): small seeded test images in every supported format, and what EVE's Python reference
makes of them. Run from the repo root:

    /usr/bin/python3 tools/image-fixtures/generate.py

Writes packages/image/test/fixtures/{inputs/*, goldens.json, small/*.bin}. Everything is
deterministic (seed 20241124). The preprocessing reproduces EVE's `process_images`
(eve/mm_utils.py) and transformers 4.31's CLIPImageProcessor arithmetic (rescale: uint8 × float64
→ float32; normalize in float32) without needing transformers or torch.
"""
import hashlib
import io
import json
import math
import os
import sys

import numpy as np
import PIL
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "packages", "image", "test", "fixtures")
INPUTS = os.path.join(ROOT, "inputs")
SMALL = os.path.join(ROOT, "small")
SEED = 20241124
MEAN = [0.48145466, 0.4578275, 0.40821073]
STD = [0.26862954, 0.26130258, 0.27577711]
SMALL_LIMIT = 6000  # outputs up to this many bytes are stored whole, larger ones as sha256


def sha(b):
    return hashlib.sha256(b).hexdigest()


def natural(rng, w, h, channels=3):
    """A photo-like test image: smooth gradients and blobs plus noise and a few hard edges."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    planes = []
    for c in range(channels):
        fx, fy = rng.uniform(0.5, 3.0, 2)
        p = 127 + 90 * np.sin(2 * np.pi * (fx * x / w + fy * y / h) + rng.uniform(0, 6))
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.1, 0.4) * max(w, h)
        p += 60 * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r))
        p[(x // max(1, w // 5) + y // max(1, h // 4)) % 2 == 0] += 35  # hard edges
        p += rng.normal(0, 12, (h, w))
        planes.append(np.clip(np.round(p), 0, 255).astype(np.uint8))
    return np.stack(planes, axis=-1) if channels > 1 else planes[0]


def make_inputs(rng):
    os.makedirs(INPUTS, exist_ok=True)
    files = {}

    def save(name, im, **kw):
        path = os.path.join(INPUTS, name)
        im.save(path, **kw)
        files[name] = path

    save("landscape-97x61.png", Image.fromarray(natural(rng, 97, 61)))
    save("landscape-97x61.jpg", Image.fromarray(natural(rng, 97, 61)), quality=90)
    save("portrait-45x80.jpg", Image.fromarray(natural(rng, 45, 80)), quality=85, subsampling=2)
    save("square-50x50.png", Image.fromarray(natural(rng, 50, 50)))
    save("near-square-336x335.jpg", Image.fromarray(natural(rng, 336, 335)), quality=75)
    save("wide-200x20.png", Image.fromarray(natural(rng, 200, 20)))
    save("tall-17x170.png", Image.fromarray(natural(rng, 17, 170)))
    save("tiny-3x2.png", Image.fromarray(natural(rng, 3, 2)))
    save("large-700x430.jpg", Image.fromarray(natural(rng, 700, 430)), quality=80)
    save("grey-33x47.png", Image.fromarray(natural(rng, 33, 47, 1), "L"))
    save("grey-40x29.jpg", Image.fromarray(natural(rng, 40, 29, 1), "L"), quality=90)
    rgba = np.dstack([natural(rng, 64, 40), rng.integers(0, 256, (40, 64), dtype=np.uint8)])
    save("rgba-64x40.png", Image.fromarray(rgba, "RGBA"))
    save("rgba-64x40.webp", Image.fromarray(rgba, "RGBA"), lossless=True)
    pal = Image.fromarray(natural(rng, 41, 57)).quantize(64)
    save("palette-41x57.png", pal)
    save("palette-trns-41x57.png", pal, transparency=5)
    save("palette-trns-41x57.gif", pal, transparency=5)
    save("lossy-60x44.webp", Image.fromarray(natural(rng, 60, 44)), quality=80)
    save("rgb-30x22.tif", Image.fromarray(natural(rng, 30, 22)), compression="tiff_lzw")
    cmyk = natural(rng, 36, 24, 4)
    save("cmyk-36x24.jpg", Image.fromarray(cmyk, "CMYK"), quality=92)
    save("cmyk-36x24.tif", Image.fromarray(cmyk, "CMYK"))
    save("grey16-25x19.png", Image.fromarray(rng.integers(0, 1024, (19, 25)).astype(np.uint16)))
    # EXIF orientation 6 ("rotate 90 CW to display"): stored 48×32, shown 32×48.
    exif = Image.Exif()
    exif[0x0112] = 6
    save("exif-rot6-48x32.jpg", Image.fromarray(natural(rng, 48, 32)), quality=90, exif=exif.tobytes())
    return files


def eve_process(raw, image_size, clip=336, stride=14):
    """EVE's process_images for one image → (float32 [4,S,S], basehw, needhw); PIL + numpy only."""
    width, height = raw.size
    if width > height:
        new_w = clip
        v = int(math.ceil(clip * height / width / stride))
        new_h = val = v * stride
    else:
        new_h = clip
        v = int(math.ceil(clip * width / height / stride))
        new_w = val = v * stride
    pre = (clip // stride - v) // 2 * stride
    post = clip - pre - val
    basehw = [new_w, new_h, pre, val, post]

    def canvas(img, sizes, S):
        bg = tuple(int(x * 255) for x in MEAN)
        if img.size[0] == img.size[1]:
            mask = np.ones((1, S, S), np.float32)
            return img, mask
        out = Image.new(img.mode, (S, S), bg)
        mask = np.zeros((1, S, S), np.float32)
        if width > height:
            out.paste(img, (0, sizes[0]))
            mask[:, sizes[0]:sizes[0] + sizes[1], :] = 1
        else:
            out.paste(img, (sizes[0], 0))
            mask[:, :, sizes[0]:sizes[0] + sizes[1]] = 1
        return out, mask

    def normalize(img):
        arr = np.array(img.convert("RGB"))  # do_convert_rgb
        x = (arr * (1 / 255)).astype(np.float32)  # transformers 4.31 rescale
        x = (x - np.array(MEAN, np.float32)) / np.array(STD, np.float32)  # normalize, float32
        return x.transpose(2, 0, 1)

    r = image_size // clip
    needhw = [x * r for x in basehw]
    img, mask = canvas(raw.resize((needhw[0], needhw[1])), needhw[2:], image_size)
    out = np.concatenate([normalize(img), mask], axis=0).astype("<f4")
    teacher_img, teacher_mask = canvas(raw.resize((basehw[0], basehw[1])), basehw[2:], clip)
    teacher = np.concatenate([normalize(teacher_img), teacher_mask], axis=0).astype("<f4")
    return out, teacher, basehw, needhw


def main():
    rng = np.random.default_rng(SEED)
    files = make_inputs(rng)
    os.makedirs(SMALL, exist_ok=True)
    goldens = {"generator": "tools/image-fixtures/generate.py", "seed": SEED, "pillow": PIL.__version__, "numpy": np.__version__,
               "decode": {}, "resize": [], "preprocess": []}

    rgb = {}
    for name, path in sorted(files.items()):
        im = Image.open(path)
        mode = im.mode
        conv = im.convert("RGB")
        rgb[name] = conv
        goldens["decode"][name] = {"mode": mode, "width": conv.size[0], "height": conv.size[1], "sha256": sha(conv.tobytes())}

    # Resize goldens: up, down, odd sizes, extreme ratios, grey (mode L) and RGB.
    cases = [
        ("landscape-97x61.png", "RGB", 194, 122), ("landscape-97x61.png", "RGB", 31, 19), ("landscape-97x61.png", "RGB", 97, 13),
        ("landscape-97x61.png", "RGB", 5, 61), ("landscape-97x61.jpg", "RGB", 672, 448), ("portrait-45x80.jpg", "RGB", 23, 41),
        ("portrait-45x80.jpg", "RGB", 252, 336), ("square-50x50.png", "RGB", 7, 7), ("square-50x50.png", "RGB", 1, 1),
        ("wide-200x20.png", "RGB", 336, 14), ("wide-200x20.png", "RGB", 20, 2), ("tall-17x170.png", "RGB", 28, 1344),
        ("tiny-3x2.png", "RGB", 672, 448), ("tiny-3x2.png", "RGB", 11, 5), ("large-700x430.jpg", "RGB", 672, 420),
        ("large-700x430.jpg", "RGB", 37, 23), ("large-700x430.jpg", "RGB", 1344, 840), ("grey-33x47.png", "L", 19, 27),
        ("grey-33x47.png", "L", 101, 143), ("grey-40x29.jpg", "L", 13, 9), ("near-square-336x335.jpg", "RGB", 672, 672),
        ("palette-trns-41x57.png", "RGB", 21, 29), ("rgba-64x40.png", "RGB", 45, 28), ("cmyk-36x24.jpg", "RGB", 50, 33),
    ]
    for name, mode, w, h in cases:
        src = Image.open(files[name])
        src = src.convert(mode) if mode == "L" else rgb[name]
        out = src.resize((w, h)).tobytes()
        case = {"input": name, "mode": mode, "width": w, "height": h, "sha256": sha(out)}
        if len(out) <= SMALL_LIMIT:
            fname = f"resize-{name.rsplit('.', 1)[0]}-{mode}-{w}x{h}.bin"
            open(os.path.join(SMALL, fname), "wb").write(out)
            case["bytes"] = f"small/{fname}"
        goldens["resize"].append(case)

    for name in ["landscape-97x61.jpg", "portrait-45x80.jpg", "square-50x50.png", "near-square-336x335.jpg", "wide-200x20.png",
                 "tall-17x170.png", "tiny-3x2.png", "grey-33x47.png", "palette-trns-41x57.gif", "rgba-64x40.png", "cmyk-36x24.tif",
                 "large-700x430.jpg"]:
        for size in (672, 1344):
            out, teacher, basehw, needhw = eve_process(rgb[name], size)
            goldens["preprocess"].append({"input": name, "image_size": size, "basehw": basehw, "needhw": needhw,
                                          "sha256": sha(out.tobytes()), "teacher_sha256": sha(teacher.tobytes()),
                                          "sum": float(out.astype(np.float64).sum())})

    with open(os.path.join(ROOT, "goldens.json"), "w") as f:
        json.dump(goldens, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(d, x)) for d in (ROOT, INPUTS, SMALL) for x in os.listdir(d) if os.path.isfile(os.path.join(d, x)))
    print(f"wrote {len(files)} inputs, {len(goldens['resize'])} resize and {len(goldens['preprocess'])} preprocess goldens; {total} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
