;; WebAssembly SIMD kernels for the CPU backend's matmul. Source of matmul-wasm.generated.ts:
;; `pnpm --filter @evejs/tensor build:wasm` assembles this file with wabt (twice: once with a
;; shared memory for worker threads, once with "shared" removed for single-threaded use).
;;
;; Memory layout is owned by JS (wasm-matmul.ts): the first 64 KiB hold the worker control words,
;; operands are staged above. All pointers and strides are byte offsets.
;;
;; gemm: C[M×N] (+)= A·B over packed operands.
;;   A packed in panels of 4 rows:    Ap[ip][k][r] = A[4·ip + r, k]   (panel stride aStride)
;;   B packed in panels of 8 columns: Bp[jp][k][c] = B[k, 8·jp + c]   (panel stride bStride)
;;   Rows/columns past M/N are zero in the panels, and C is padded to 4·ni rows × 8·nj columns.
;; The 4×8 register tile (8 f32x4 accumulators) is the micro-kernel; K is blocked by kc so one
;; B micro-panel (kc·32 bytes) stays in L1 while mcp A panels (mcp·kc·16 bytes) stay in L2.
;;
;; dotRows: C[i, j] = A[i, :]·B[j, :] for row-major A [m, k] and B [nj, k] (matvec with
;; transposeB, where B is a PyTorch [out, in] weight used as is, without packing).
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; One 4×8 tile of C over kc steps; acc≠0 adds to the tile already in C.
  (func $micro (param $pa i32) (param $pb i32) (param $pc i32) (param $ldc i32) (param $kc i32) (param $acc i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $a v128) (local $end i32) (local $p i32)
    (if (local.get $acc)
      (then
        (local.set $p (local.get $pc))
        (local.set $c00 (v128.load (local.get $p)))
        (local.set $c01 (v128.load offset=16 (local.get $p)))
        (local.set $p (i32.add (local.get $p) (local.get $ldc)))
        (local.set $c10 (v128.load (local.get $p)))
        (local.set $c11 (v128.load offset=16 (local.get $p)))
        (local.set $p (i32.add (local.get $p) (local.get $ldc)))
        (local.set $c20 (v128.load (local.get $p)))
        (local.set $c21 (v128.load offset=16 (local.get $p)))
        (local.set $p (i32.add (local.get $p) (local.get $ldc)))
        (local.set $c30 (v128.load (local.get $p)))
        (local.set $c31 (v128.load offset=16 (local.get $p)))))
    (local.set $end (i32.add (local.get $pa) (i32.shl (local.get $kc) (i32.const 4))))
    (block $done
      (loop $k
        (br_if $done (i32.ge_u (local.get $pa) (local.get $end)))
        (local.set $b0 (v128.load (local.get $pb)))
        (local.set $b1 (v128.load offset=16 (local.get $pb)))
        (local.set $a (v128.load32_splat (local.get $pa)))
        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (local.get $b0))))
        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load32_splat offset=4 (local.get $pa)))
        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a) (local.get $b0))))
        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load32_splat offset=8 (local.get $pa)))
        (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a) (local.get $b0))))
        (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load32_splat offset=12 (local.get $pa)))
        (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a) (local.get $b0))))
        (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a) (local.get $b1))))
        (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
        (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
        (br $k)))
    (local.set $p (local.get $pc))
    (v128.store (local.get $p) (local.get $c00))
    (v128.store offset=16 (local.get $p) (local.get $c01))
    (local.set $p (i32.add (local.get $p) (local.get $ldc)))
    (v128.store (local.get $p) (local.get $c10))
    (v128.store offset=16 (local.get $p) (local.get $c11))
    (local.set $p (i32.add (local.get $p) (local.get $ldc)))
    (v128.store (local.get $p) (local.get $c20))
    (v128.store offset=16 (local.get $p) (local.get $c21))
    (local.set $p (i32.add (local.get $p) (local.get $ldc)))
    (v128.store (local.get $p) (local.get $c30))
    (v128.store offset=16 (local.get $p) (local.get $c31)))

  ;; C (ni·4 rows × nj·8 columns, row stride ldc) = Ap·Bp over k, in kc × (mcp panels) blocks.
  (func (export "gemm")
    (param $a i32) (param $b i32) (param $c i32) (param $ldc i32) (param $k i32)
    (param $ni i32) (param $nj i32) (param $aStride i32) (param $bStride i32)
    (param $kc i32) (param $mcp i32)
    (local $k0 i32) (local $kl i32) (local $i0 i32) (local $iEnd i32) (local $jp i32) (local $ip i32)
    (block $kDone
      (loop $kLoop
        (br_if $kDone (i32.ge_u (local.get $k0) (local.get $k)))
        (local.set $kl (select (local.get $kc) (i32.sub (local.get $k) (local.get $k0))
          (i32.lt_u (local.get $kc) (i32.sub (local.get $k) (local.get $k0)))))
        (local.set $i0 (i32.const 0))
        (block $iDone
          (loop $iLoop
            (br_if $iDone (i32.ge_u (local.get $i0) (local.get $ni)))
            (local.set $iEnd (i32.add (local.get $i0) (local.get $mcp)))
            (if (i32.gt_u (local.get $iEnd) (local.get $ni)) (then (local.set $iEnd (local.get $ni))))
            (local.set $jp (i32.const 0))
            (block $jDone
              (loop $jLoop
                (br_if $jDone (i32.ge_u (local.get $jp) (local.get $nj)))
                (local.set $ip (local.get $i0))
                (block $pDone
                  (loop $pLoop
                    (br_if $pDone (i32.ge_u (local.get $ip) (local.get $iEnd)))
                    (call $micro
                      (i32.add (i32.add (local.get $a) (i32.mul (local.get $ip) (local.get $aStride)))
                               (i32.shl (local.get $k0) (i32.const 4)))
                      (i32.add (i32.add (local.get $b) (i32.mul (local.get $jp) (local.get $bStride)))
                               (i32.shl (local.get $k0) (i32.const 5)))
                      (i32.add (i32.add (local.get $c) (i32.mul (i32.shl (local.get $ip) (i32.const 2)) (local.get $ldc)))
                               (i32.shl (local.get $jp) (i32.const 5)))
                      (local.get $ldc) (local.get $kl) (local.get $k0))
                    (local.set $ip (i32.add (local.get $ip) (i32.const 1)))
                    (br $pLoop)))
                (local.set $jp (i32.add (local.get $jp) (i32.const 1)))
                (br $jLoop)))
            (local.set $i0 (local.get $iEnd))
            (br $iLoop)))
        (local.set $k0 (i32.add (local.get $k0) (local.get $kl)))
        (br $kLoop))))

  ;; C[i, j] = Σ_p A[i, p]·B[j, p] for i < m, j < nj; A, B row-major with k columns, C row stride ldc.
  (func (export "dotRows")
    (param $a i32) (param $b i32) (param $c i32) (param $m i32) (param $nj i32) (param $k i32) (param $ldc i32)
    (local $j i32) (local $i i32) (local $pa i32) (local $pb i32) (local $rowBytes i32) (local $vecBytes i32)
    (local $p i32) (local $s0 v128) (local $s1 v128) (local $s f32)
    (local.set $rowBytes (i32.shl (local.get $k) (i32.const 2)))
    (local.set $vecBytes (i32.shl (i32.and (local.get $k) (i32.const -8)) (i32.const 2)))
    (block $jDone
      (loop $jLoop
        (br_if $jDone (i32.ge_u (local.get $j) (local.get $nj)))
        (local.set $pb (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $rowBytes))))
        (local.set $i (i32.const 0))
        (block $iDone
          (loop $iLoop
            (br_if $iDone (i32.ge_u (local.get $i) (local.get $m)))
            (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rowBytes))))
            (local.set $s0 (v128.const f32x4 0 0 0 0))
            (local.set $s1 (v128.const f32x4 0 0 0 0))
            (local.set $p (i32.const 0))
            (block $vDone
              (loop $vLoop
                (br_if $vDone (i32.ge_u (local.get $p) (local.get $vecBytes)))
                (local.set $s0 (f32x4.add (local.get $s0)
                  (f32x4.mul (v128.load (i32.add (local.get $pa) (local.get $p)))
                             (v128.load (i32.add (local.get $pb) (local.get $p))))))
                (local.set $s1 (f32x4.add (local.get $s1)
                  (f32x4.mul (v128.load offset=16 (i32.add (local.get $pa) (local.get $p)))
                             (v128.load offset=16 (i32.add (local.get $pb) (local.get $p))))))
                (local.set $p (i32.add (local.get $p) (i32.const 32)))
                (br $vLoop)))
            (local.set $s0 (f32x4.add (local.get $s0) (local.get $s1)))
            (local.set $s (f32.add
              (f32.add (f32x4.extract_lane 0 (local.get $s0)) (f32x4.extract_lane 1 (local.get $s0)))
              (f32.add (f32x4.extract_lane 2 (local.get $s0)) (f32x4.extract_lane 3 (local.get $s0)))))
            (block $tDone
              (loop $tLoop
                (br_if $tDone (i32.ge_u (local.get $p) (local.get $rowBytes)))
                (local.set $s (f32.add (local.get $s)
                  (f32.mul (f32.load (i32.add (local.get $pa) (local.get $p)))
                           (f32.load (i32.add (local.get $pb) (local.get $p))))))
                (local.set $p (i32.add (local.get $p) (i32.const 4)))
                (br $tLoop)))
            (f32.store (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldc)))
                                (i32.shl (local.get $j) (i32.const 2)))
                       (local.get $s))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $iLoop)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $jLoop))))
)
