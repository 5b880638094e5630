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
;; pack: the panels of gemm's A or B from a matrix staged in memory as is. Element (i, p) of the
;; matrix, i < rows, p < depth, is at src + i·rs + p·ds (bytes), so row-major and transposed
;; storage are the same loop; panel q of width w holds dst[q][p][r] = element (q·w + r, p), zero
;; for q·w + r ≥ rows. A: w = 4, rows = m, depth = k; B: w = 8, rows = n (B's columns), depth = k.
;;
;; dotRows: C[i, j] = A[i, :]·B[j, :] for row-major A [m, k] and B [nj, k] (matvec with
;; transposeB, where B is a PyTorch [out, in] weight used as is, without packing).
;;
;; adamw: one AdamW step of n values (a multiple of 4) in place: p (decayed when decay ≠ 0), m and
;; v at their byte addresses, g read; the scalars are f32, every operation an IEEE f32 one, so the
;; values are those of the TypeScript kernel that rounds each f64 operation to f32 (adamw-step.ts).
;;
;; addF32 / subF32 / mulF32 / divF32: o[i] = a[i] op b[i] for n values (a multiple of 4), four at a
;; time; aStep and bStep are 16 (the operand advances) or 0 (a scalar splat in 16 bytes, read
;; again for every group). An IEEE f32 operation of two f32 values is the f64 one rounded to f32,
;; so the results are those of the TypeScript loops in kernels/elementwise.ts bit for bit.
;;
;; dotRowsQ8 / dotRowsQ4: the same with a block-quantised B (quantize.ts): B row j is k int8
;; values (q8_0) or k/2 bytes of nibbles (q4_0: byte t holds elements 2t and 2t+1, low nibble
;; first, stored +8), and S [nj, k/32] f32 holds each 32-value block's scale. Each 16 values are
;; widened to f32x4 ×4 and multiplied with A; a block's sum is scaled once. k is a multiple of 32.
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

  (func (export "pack") (param $src i32) (param $dst i32) (param $rows i32) (param $depth i32) (param $w i32) (param $rs i32) (param $ds i32)
    (local $q i32) (local $panels i32) (local $p i32) (local $r i32) (local $row0 i32) (local $s i32)
    (local.set $panels (i32.div_u (i32.sub (i32.add (local.get $rows) (local.get $w)) (i32.const 1)) (local.get $w)))
    (block $qDone
      (loop $qLoop
        (br_if $qDone (i32.ge_u (local.get $q) (local.get $panels)))
        (local.set $row0 (i32.mul (local.get $q) (local.get $w)))
        (local.set $p (i32.const 0))
        (block $pDone
          (loop $pLoop
            (br_if $pDone (i32.ge_u (local.get $p) (local.get $depth)))
            (local.set $s (i32.add (local.get $src)
              (i32.add (i32.mul (local.get $row0) (local.get $rs)) (i32.mul (local.get $p) (local.get $ds)))))
            (local.set $r (i32.const 0))
            (block $rDone
              (loop $rLoop
                (br_if $rDone (i32.ge_u (local.get $r) (local.get $w)))
                (if (i32.lt_u (i32.add (local.get $row0) (local.get $r)) (local.get $rows))
                  (then (f32.store (local.get $dst) (f32.load (local.get $s))))
                  (else (f32.store (local.get $dst) (f32.const 0))))
                (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
                (local.set $s (i32.add (local.get $s) (local.get $rs)))
                (local.set $r (i32.add (local.get $r) (i32.const 1)))
                (br $rLoop)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $pLoop)))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $qLoop))))

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

  ;; Σ over 16 int8 lanes of q × A[p .. p+16) as one f32x4 (lanes summed later).
  (func $dot16 (param $q v128) (param $pa i32) (result v128)
    (local $h v128)
    (local.set $h (i16x8.extend_low_i8x16_s (local.get $q)))
    (f32x4.add
      (f32x4.add
        (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $h))) (v128.load (local.get $pa)))
        (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $h))) (v128.load offset=16 (local.get $pa))))
      (block (result v128)
        (local.set $h (i16x8.extend_high_i8x16_s (local.get $q)))
        (f32x4.add
          (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $h))) (v128.load offset=32 (local.get $pa)))
          (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $h))) (v128.load offset=48 (local.get $pa)))))))

  ;; 32 values of a q4_0 block (16 bytes of nibbles at $pq) as int8 in order, the first or second 16.
  (func $nibbles (param $bytes v128) (param $second i32) (result v128)
    (local $lo v128) (local $hi v128)
    (local.set $lo (i8x16.sub (v128.and (local.get $bytes) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15)) (v128.const i8x16 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8)))
    (local.set $hi (i8x16.sub (i8x16.shr_u (local.get $bytes) (i32.const 4)) (v128.const i8x16 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8)))
    (if (result v128) (local.get $second)
      (then (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $lo) (local.get $hi)))
      (else (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $lo) (local.get $hi)))))

  ;; C[i, j] = Σ_b S[j, b]·Σ_{t<32} A[i, 32b + t]·q[j, 32b + t]; $q4 selects the nibble layout.
  (func $dotRowsQuant
    (param $a i32) (param $q i32) (param $sc i32) (param $c i32) (param $m i32) (param $nj i32) (param $k i32) (param $ldc i32) (param $q4 i32)
    (local $j i32) (local $i i32) (local $b i32) (local $blocks i32) (local $qRow i32) (local $qb i32) (local $pa i32)
    (local $acc v128) (local $part v128) (local $bytes v128)
    (local.set $blocks (i32.shr_u (local.get $k) (i32.const 5)))
    (block $jDone
      (loop $jLoop
        (br_if $jDone (i32.ge_u (local.get $j) (local.get $nj)))
        (local.set $qRow (i32.add (local.get $q) (i32.mul (local.get $j) (i32.shr_u (local.get $k) (local.get $q4)))))
        (local.set $i (i32.const 0))
        (block $iDone
          (loop $iLoop
            (br_if $iDone (i32.ge_u (local.get $i) (local.get $m)))
            (local.set $acc (v128.const f32x4 0 0 0 0))
            (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $i) (i32.shl (local.get $k) (i32.const 2)))))
            (local.set $qb (local.get $qRow))
            (local.set $b (i32.const 0))
            (block $bDone
              (loop $bLoop
                (br_if $bDone (i32.ge_u (local.get $b) (local.get $blocks)))
                (if (local.get $q4)
                  (then
                    (local.set $bytes (v128.load (local.get $qb)))
                    (local.set $part (f32x4.add
                      (call $dot16 (call $nibbles (local.get $bytes) (i32.const 0)) (local.get $pa))
                      (call $dot16 (call $nibbles (local.get $bytes) (i32.const 1)) (i32.add (local.get $pa) (i32.const 64)))))
                    (local.set $qb (i32.add (local.get $qb) (i32.const 16))))
                  (else
                    (local.set $part (f32x4.add
                      (call $dot16 (v128.load (local.get $qb)) (local.get $pa))
                      (call $dot16 (v128.load offset=16 (local.get $qb)) (i32.add (local.get $pa) (i32.const 64)))))
                    (local.set $qb (i32.add (local.get $qb) (i32.const 32)))))
                (local.set $acc (f32x4.add (local.get $acc)
                  (f32x4.mul (local.get $part)
                    (f32x4.splat (f32.load (i32.add (local.get $sc)
                      (i32.shl (i32.add (i32.mul (local.get $j) (local.get $blocks)) (local.get $b)) (i32.const 2))))))))
                (local.set $pa (i32.add (local.get $pa) (i32.const 128)))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))
                (br $bLoop)))
            (f32.store (i32.add (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldc)))
                                (i32.shl (local.get $j) (i32.const 2)))
              (f32.add
                (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
                (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $iLoop)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $jLoop))))

  (func (export "dotRowsQ8")
    (param $a i32) (param $q i32) (param $sc i32) (param $c i32) (param $m i32) (param $nj i32) (param $k i32) (param $ldc i32)
    (call $dotRowsQuant (local.get $a) (local.get $q) (local.get $sc) (local.get $c) (local.get $m) (local.get $nj) (local.get $k) (local.get $ldc) (i32.const 0)))

  (func (export "dotRowsQ4")
    (param $a i32) (param $q i32) (param $sc i32) (param $c i32) (param $m i32) (param $nj i32) (param $k i32) (param $ldc i32)
    (call $dotRowsQuant (local.get $a) (local.get $q) (local.get $sc) (local.get $c) (local.get $m) (local.get $nj) (local.get $k) (local.get $ldc) (i32.const 1)))

  (func (export "adamw")
    (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32) (param $decay i32)
    (param $keep f32) (param $b1 f32) (param $c1 f32) (param $b2 f32) (param $c2 f32)
    (param $sqrtBc2 f32) (param $eps f32) (param $step f32)
    (local $i i32) (local $end i32) (local $pv v128) (local $gv v128) (local $mv v128) (local $vv v128)
    (local $keepv v128) (local $b1v v128) (local $c1v v128) (local $b2v v128) (local $c2v v128)
    (local $sqv v128) (local $epsv v128) (local $stepv v128)
    (local.set $keepv (f32x4.splat (local.get $keep)))
    (local.set $b1v (f32x4.splat (local.get $b1)))
    (local.set $c1v (f32x4.splat (local.get $c1)))
    (local.set $b2v (f32x4.splat (local.get $b2)))
    (local.set $c2v (f32x4.splat (local.get $c2)))
    (local.set $sqv (f32x4.splat (local.get $sqrtBc2)))
    (local.set $epsv (f32x4.splat (local.get $eps)))
    (local.set $stepv (f32x4.splat (local.get $step)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $pv (v128.load (i32.add (local.get $p) (local.get $i))))
        (local.set $gv (v128.load (i32.add (local.get $g) (local.get $i))))
        (if (local.get $decay) (then (local.set $pv (f32x4.mul (local.get $pv) (local.get $keepv)))))
        (local.set $mv (f32x4.add
          (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $i))) (local.get $b1v))
          (f32x4.mul (local.get $gv) (local.get $c1v))))
        (local.set $vv (f32x4.add
          (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $i))) (local.get $b2v))
          (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (local.get $c2v))))
        (v128.store (i32.add (local.get $p) (local.get $i))
          (f32x4.sub (local.get $pv)
            (f32x4.mul
              (f32x4.div (local.get $mv)
                (f32x4.add (f32x4.div (f32x4.sqrt (local.get $vv)) (local.get $sqv)) (local.get $epsv)))
              (local.get $stepv))))
        (v128.store (i32.add (local.get $m) (local.get $i)) (local.get $mv))
        (v128.store (i32.add (local.get $v) (local.get $i)) (local.get $vv))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next))))

  (func (export "addF32") (param $a i32) (param $b i32) (param $o i32) (param $n i32) (param $aStep i32) (param $bStep i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
        (v128.store (local.get $o) (f32x4.add (v128.load (local.get $a)) (v128.load (local.get $b))))
        (local.set $a (i32.add (local.get $a) (local.get $aStep)))
        (local.set $b (i32.add (local.get $b) (local.get $bStep)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $next))))

  (func (export "subF32") (param $a i32) (param $b i32) (param $o i32) (param $n i32) (param $aStep i32) (param $bStep i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
        (v128.store (local.get $o) (f32x4.sub (v128.load (local.get $a)) (v128.load (local.get $b))))
        (local.set $a (i32.add (local.get $a) (local.get $aStep)))
        (local.set $b (i32.add (local.get $b) (local.get $bStep)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $next))))

  (func (export "mulF32") (param $a i32) (param $b i32) (param $o i32) (param $n i32) (param $aStep i32) (param $bStep i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
        (v128.store (local.get $o) (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b))))
        (local.set $a (i32.add (local.get $a) (local.get $aStep)))
        (local.set $b (i32.add (local.get $b) (local.get $bStep)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $next))))

  (func (export "divF32") (param $a i32) (param $b i32) (param $o i32) (param $n i32) (param $aStep i32) (param $bStep i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
        (v128.store (local.get $o) (f32x4.div (v128.load (local.get $a)) (v128.load (local.get $b))))
        (local.set $a (i32.add (local.get $a) (local.get $aStep)))
        (local.set $b (i32.add (local.get $b) (local.get $bStep)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $next))))
)
