// Pure statistics for the benchmark: percentiles, summaries, ratios over repeats.

/** The q-quantile (0..1) of an ascending sorted array, nearest-rank; NaN when empty. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

/** Sorts a copy of numbers ascending (typed arrays sort numerically). */
export function sortedCopy(values) {
  return Float64Array.from(values).sort();
}

/** p50 / p99 / max of latency samples, rounded to 0.1 ms; nulls when there are none. */
export function summarize(values) {
  const sorted = sortedCopy(values);
  if (sorted.length === 0) return { p50_ms: null, p99_ms: null, max_ms: null };
  return {
    p50_ms: round(quantile(sorted, 0.5)),
    p99_ms: round(quantile(sorted, 0.99)),
    max_ms: round(sorted[sorted.length - 1]),
  };
}

/** min / median / max of a list of numbers (nulls and NaN dropped), rounded to 0.01. */
export function spread(values) {
  const clean = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  if (clean.length === 0) return { min: null, median: null, max: null, n: 0 };
  const sorted = sortedCopy(clean);
  return { min: round(sorted[0], 2), median: round(quantile(sorted, 0.5), 2), max: round(sorted[sorted.length - 1], 2), n: clean.length };
}

/** a / b, or null when either is missing or b is zero. */
export function ratio(a, b) {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return a / b;
}

/** Rounds to `digits` decimals (default 1); keeps null. */
export function round(value, digits = 1) {
  if (value == null || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The wall-clock time in milliseconds with sub-millisecond precision, comparable across processes. */
export function nowMs() {
  return performance.timeOrigin + performance.now();
}
