// How many containers the pool starts now (plain numbers in, a number out; unit-tested):
// enough for the warm pool and everyone in line, within the capacity, at most parallel-starts
// at a time. Measured and not kept (issue #14, README): starting fewer while warm hand-outs
// load their first page, and a low CPU weight while warming; neither made hand-outs faster.
export interface RefillState {
  size: number;
  capacity: number;
  parallelStarts: number;
  warm: number;
  assigned: number;
  starting: number;
  waiting: number;
}

export function startsNow(c: RefillState): number {
  const want = c.size + c.waiting - c.warm - c.starting;
  const room = c.capacity - (c.warm + c.assigned + c.starting);
  return Math.max(0, Math.min(want, room, c.parallelStarts - c.starting));
}
