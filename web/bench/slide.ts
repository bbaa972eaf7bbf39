// The setup both viewer benchmarks share: a project with three coloured
// categories and one slide uploaded and tiled, for a run to fill with marks
// or suggestions.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Api } from '../e2e/api';

interface Created {
  id: number;
}

/** BenchSlide is a tiled slide in a project of its own, and the project's three categories. */
export interface BenchSlide {
  readonly projectId: number;
  readonly slideId: number;
  readonly width: number;
  readonly height: number;
  readonly categories: readonly [number, number, number];
}

/** benchSlide makes the project ("bench <what> <run>"), its categories and the tiled slide from slidePath. */
export async function benchSlide(api: Api, what: string, slidePath: string): Promise<BenchSlide> {
  const run = Date.now().toString(36);
  const project = await api.post<Created>('/api/v1/projects', { name: `bench ${what} ${run}`, description: `${what} benchmark` });
  const cats: number[] = [];
  for (const [i, color] of ['#e6194b', '#1f77b4', '#2ca02c'].entries()) {
    cats.push((await api.post<Created>(`/api/v1/projects/${project.id}/categories`, { class_id: i + 1, name: `class ${i + 1}`, color })).id);
  }
  const slide = await api.upload<Created>('/api/v1/slides', {
    project_id: String(project.id),
    name: basename(slidePath),
    file: { name: basename(slidePath), mimeType: 'application/octet-stream', buffer: readFileSync(slidePath) },
  });
  const s = await api.until('the slide to be tiled', 300_000, async () => {
    const got = await api.get<{ status: string; width: number; height: number; error?: string }>(`/api/v1/slides/${slide.id}`);
    if (got.status === 'failed') throw new Error(`bench: slide failed: ${got.error ?? ''}`);
    return got.status === 'ready' ? got : undefined;
  });
  return { projectId: project.id, slideId: slide.id, width: s.width, height: s.height, categories: cats as [number, number, number] };
}
