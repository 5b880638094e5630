"""Reads raw 8-bit images and resizes them with Pillow (default bicubic filter); used by
agreement.ts to measure how closely @evejs/image's resizeBicubic matches Pillow.

Protocol: argv = [in.raw, mode, w, h, out_w, out_h, out.raw]; mode is L or RGB."""
import sys
from PIL import Image

src, mode, w, h, ow, oh, dst = sys.argv[1:8]
im = Image.frombytes(mode, (int(w), int(h)), open(src, "rb").read())
open(dst, "wb").write(im.resize((int(ow), int(oh))).tobytes())
