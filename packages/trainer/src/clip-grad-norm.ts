/**
 * Global gradient-norm clipping as `torch.nn.utils.clip_grad_norm_`: the norm over all gradients
 * together; every gradient is scaled by min(1, max_norm / (norm + 1e-6)). Returns the norm
 * before clipping (what EVE's logs call grad_norm).
 */
import { add, keep, mul, noGrad, sum, type Tensor, tidy } from '@evejs/tensor';

export async function clipGradNorm(params: readonly Tensor[], maxNorm: number): Promise<number> {
  const grads = params.map((p) => p.grad).filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return 0;
  // Σ‖g‖² on the device, read back once (one readback per step, not one per parameter).
  const total = noGrad(() => tidy(() => grads.map((g) => sum(mul(g, g))).reduce((a, b) => add(a, b))));
  const norm = Math.sqrt((await total.data())[0]!);
  total.dispose();
  const coef = Math.min(1, maxNorm / (norm + 1e-6));
  if (coef < 1 && Number.isFinite(norm)) {
    noGrad(() => {
      for (const p of params) {
        if (!p.grad) continue;
        const scaled = keep(mul(p.grad, coef));
        p.grad.dispose();
        p.grad = scaled;
      }
    });
  }
  return norm;
}
