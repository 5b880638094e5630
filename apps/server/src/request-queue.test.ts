import { describe, expect, it } from 'vitest';
import { QueueFullError, RequestQueue } from './request-queue.js';

describe('RequestQueue', () => {
  it('runs at most `concurrency` at once, in arrival order, and refuses past the limit', async () => {
    const q = new RequestQueue(2, 2);
    const r1 = await q.acquire();
    const r2 = await q.acquire();
    const order: number[] = [];
    const w3 = q.acquire().then((r) => (order.push(3), r));
    const w4 = q.acquire().then((r) => (order.push(4), r));
    expect([q.running, q.depth]).toEqual([2, 2]);
    await expect(q.acquire()).rejects.toBeInstanceOf(QueueFullError);
    r1();
    r1(); // a second release is ignored
    const r3 = await w3;
    expect([q.running, q.depth]).toEqual([2, 1]);
    r2();
    const r4 = await w4;
    expect(order).toEqual([3, 4]);
    r3();
    r4();
    expect([q.running, q.depth]).toEqual([0, 0]);
  });

  it('drops a waiter whose signal aborts, with the signal reason', async () => {
    const q = new RequestQueue(1, 4);
    const r1 = await q.acquire();
    const ctl = new AbortController();
    const waiting = q.acquire(ctl.signal);
    expect(q.depth).toBe(1);
    ctl.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    expect(q.depth).toBe(0);
    r1();
    expect(q.running).toBe(0);
    const aborted = AbortSignal.abort(new Error('already'));
    await expect(q.acquire(aborted)).rejects.toThrow('already');
  });

  it('rejects bad settings', () => {
    expect(() => new RequestQueue(0, 1)).toThrow(RangeError);
    expect(() => new RequestQueue(1, -1)).toThrow(RangeError);
  });
});
