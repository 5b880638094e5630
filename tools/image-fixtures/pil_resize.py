"""Pillow side of agreement.ts (Debian python3-pil 9.4): resizes with Image.resize's default
bicubic filter and writes the raw bytes.

  pil_resize.py raw  <in.raw> <mode L|RGB> <w> <h> <out_w> <out_h> <out.raw>
  pil_resize.py file <image file> <out_w> <out_h> <out.raw>   (Image.open(f).convert('RGB').resize)
"""
import sys
from PIL import Image

if sys.argv[1] == "raw":
    src, mode, w, h, ow, oh, dst = sys.argv[2:9]
    im = Image.frombytes(mode, (int(w), int(h)), open(src, "rb").read())
else:
    src, ow, oh, dst = sys.argv[2:6]
    im = Image.open(src).convert("RGB")
open(dst, "wb").write(im.resize((int(ow), int(oh))).tobytes())
