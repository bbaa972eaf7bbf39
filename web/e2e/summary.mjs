// A node:test reporter that ends the run with one plain line, "e2e: N passed,
// N failed", which CI and people read the same way. Suites are not counted.
// Plain JavaScript: node loads reporters before any TypeScript loader hook.

/** @param {AsyncIterable<{type: string, data: {details?: {type?: string}, skip?: unknown, todo?: unknown}}>} source */
export default async function* summary(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for await (const ev of source) {
    if (ev.data.details?.type === 'suite') continue;
    if (ev.type === 'test:pass') {
      if (ev.data.skip !== undefined || ev.data.todo !== undefined) skipped++;
      else passed++;
    } else if (ev.type === 'test:fail') {
      failed++;
    }
  }
  yield `e2e: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`;
}
