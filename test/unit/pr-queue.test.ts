import { describe, expect, it } from '@jest/globals';
import { KeyedQueue } from '../../src/bot/pr-queue.js';

/** A piece of work the test finishes when it wants. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

const done = (): Promise<void> => Promise.resolve();

/** Which of `keys` runAll finds untouched since `mark`. */
async function untouchedOf(
  queue: KeyedQueue,
  keys: string[],
  mark: ReturnType<KeyedQueue['mark']>,
): Promise<string[]> {
  return queue.runAll(keys, mark, (untouched) => Promise.resolve([...untouched].sort()));
}

describe('KeyedQueue: what runAll is told', () => {
  it('counts a key untouched when its work started before the mark and ended', async () => {
    const queue = new KeyedQueue();
    await queue.run('a#1', done);
    const mark = queue.mark();

    expect(await untouchedOf(queue, ['a#1', 'a#2'], mark)).toEqual(['a#1', 'a#2']);
    queue.release(mark);
  });

  it('counts a key touched when work for it started after the mark', async () => {
    const queue = new KeyedQueue();
    const mark = queue.mark();
    await queue.run('a#1', done);

    expect(await untouchedOf(queue, ['a#1', 'a#2'], mark)).toEqual(['a#2']);
    queue.release(mark);
  });

  it('counts a key touched when its work was still running at the mark', async () => {
    const queue = new KeyedQueue();
    const held = gate();
    const running = queue.run('a#1', () => held.promise);
    const mark = queue.mark();
    held.open();
    await running;

    expect(await untouchedOf(queue, ['a#1'], mark)).toEqual([]);
    queue.release(mark);
  });
});

describe('KeyedQueue: memory stays bounded', () => {
  it('remembers nothing about keys whose work is done while no mark is out', async () => {
    const queue = new KeyedQueue();
    for (let pr = 1; pr <= 500; pr++) await queue.run(`acme/web#${pr}`, done);

    expect(queue.remembered).toBe(0);
  });

  it('keeps a start later than an outstanding mark until the mark is released', async () => {
    const queue = new KeyedQueue();
    const mark = queue.mark();
    await queue.run('a#1', done);
    await queue.run('a#2', done);

    // Forgetting either now would make runAll take it for untouched.
    expect(queue.remembered).toBe(2);
    expect(await untouchedOf(queue, ['a#1'], mark)).toEqual([]);
    queue.release(mark);
    expect(queue.remembered).toBe(0);
  });

  it('keeps a key while work is queued for it, and forgets it when that work ends', async () => {
    const queue = new KeyedQueue();
    const held = gate();
    const first = queue.run('a#1', () => held.promise);
    const second = queue.run('a#1', done);
    expect(queue.remembered).toBe(1);

    held.open();
    await Promise.all([first, second]);
    await queue.idle();
    expect(queue.remembered).toBe(0);
  });

  it('forgets starts older than the oldest mark still out, keeping newer ones', async () => {
    const queue = new KeyedQueue();
    const older = queue.mark();
    await queue.run('a#1', done);
    const newer = queue.mark();
    await queue.run('a#2', done);
    expect(queue.remembered).toBe(2);

    queue.release(older);
    // a#1 started before `newer` (same answer as never), a#2 after it.
    expect(queue.remembered).toBe(1);
    expect(await untouchedOf(queue, ['a#1', 'a#2'], newer)).toEqual(['a#1']);
    queue.release(newer);
    expect(queue.remembered).toBe(0);
  });
});
