import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The folders of src/ are layers: viewer (geometry, the OpenSeadragon wrapper),
// api, overlay, marks, sync, tools, pages. A folder may use the ones below it,
// never the other way round, so each can be read and tested without those
// above. This test fails on any cycle between folders (a file directly in
// src/ counts as a folder of its own), naming the imports that close it.
//
// Only the app's modules count, as tsconfig.json sees them: a test or a test
// helper may put pieces of several layers together.

const src = dirname(fileURLToPath(import.meta.url));

/** Graph maps a folder to the folders it imports, each with the files that do it. */
type Graph = Map<string, Map<string, string[]>>;

function appFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...appFiles(p));
    else if (/\.ts$/.test(e.name) && !/\.(test|testutil)\.ts$/.test(e.name)) out.push(p);
  }
  return out;
}

/** folderOf names the node of a path under src: its first folder, or the file itself. */
function folderOf(path: string): string {
  const parts = relative(src, path).split(sep);
  return parts.length > 1 ? `${parts[0]}/` : (parts[0] ?? '').replace(/\.ts$/, '');
}

function importGraph(): Graph {
  const g: Graph = new Map();
  for (const file of appFiles(src)) {
    const from = folderOf(file);
    const edges = g.get(from) ?? new Map<string, string[]>();
    g.set(from, edges);
    for (const imp of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!imp.fileName.startsWith('.')) continue;
      const to = folderOf(resolve(dirname(file), imp.fileName));
      if (to === from) continue;
      edges.set(to, [...(edges.get(to) ?? []), relative(src, file)]);
    }
  }
  return g;
}

/** cycles answers the strongly connected components of more than one node (Tarjan). */
function cycles(g: ReadonlyMap<string, ReadonlyMap<string, unknown>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do {
      w = stack.pop() as string;
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1) out.push(scc.sort());
  };
  for (const v of [...g.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

function explain(g: Graph, scc: readonly string[]): string {
  const lines = [`cycle between ${scc.join(', ')}:`];
  for (const from of scc) {
    for (const [to, files] of g.get(from) ?? []) {
      if (scc.includes(to)) lines.push(`  ${from} -> ${to}: ${[...new Set(files)].join(', ')}`);
    }
  }
  return lines.join('\n');
}

describe('folder imports', () => {
  it('finds a cycle in a graph that has one, and none in a layered one', () => {
    const edges = (pairs: [string, string][]) => {
      const g = new Map<string, Map<string, true>>();
      for (const [a, b] of pairs) {
        g.set(a, (g.get(a) ?? new Map<string, true>()).set(b, true));
        if (!g.has(b)) g.set(b, new Map());
      }
      return g;
    };
    expect(cycles(edges([['pages/', 'marks/'], ['marks/', 'api/'], ['api/', 'marks/'], ['pages/', 'api/']]))).toEqual([['api/', 'marks/']]);
    expect(cycles(edges([['a', 'b'], ['b', 'c'], ['c', 'a'], ['c', 'd']]))).toEqual([['a', 'b', 'c']]);
    expect(cycles(edges([['pages/', 'marks/'], ['marks/', 'api/'], ['pages/', 'api/']]))).toEqual([]);
  });

  it('reads the imports of the app', () => {
    const g = importGraph();
    expect(g.get('pages/')?.has('marks/')).toBe(true);
    expect(g.get('main')?.has('app')).toBe(true);
  });

  it('has no cycle between the folders of src', () => {
    const g = importGraph();
    expect(cycles(g).map((scc) => explain(g, scc))).toEqual([]);
  });
});
