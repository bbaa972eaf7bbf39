import type { ApiClient } from './client';
import { ApiError } from './error';

/**
 * Party is one side of an agreement, as the annotation service names it: a
 * user id, "model:<name>@<version>" (that version's suggestions in every
 * state) or "accepted:<name>@<version>" (the marks people accepted from it).
 */
export type Party = string;

export const modelParty = (version: string): Party => `model:${version}`;
export const acceptedParty = (version: string): Party => `accepted:${version}`;

/** CategoryAgreement is one category's figures; ratios are null when their denominator is zero. */
export interface CategoryAgreement {
  readonly category_id: number;
  readonly points_a: number;
  readonly points_b: number;
  readonly matched: number;
  readonly precision: number | null;
  readonly recall: number | null;
  readonly f1: number | null;
  /** areas in px² (regions only). */
  readonly area_a: number;
  readonly area_b: number;
  readonly area_intersection: number;
  readonly iou: number | null;
  readonly dice: number | null;
}

/** Agreement compares b with a (the reference) on one slide. */
export interface Agreement {
  readonly distance: number;
  readonly categories: readonly CategoryAgreement[];
  /** kappa is Cohen's kappa of matched points' categories; null when undefined. */
  readonly kappa: number | null;
  readonly matched_points: number;
}

/** getAgreement asks GET /api/v1/annotations/agreement for slide, a and b, points matched within distance px. */
export function getAgreement(api: ApiClient, slideId: string, a: Party, b: Party, distance: number, signal?: AbortSignal): Promise<Agreement> {
  return askAgreement(api, new URLSearchParams({ slide_id: slideId, a, b, distance: String(distance) }), signal);
}

/**
 * getProjectAgreement asks for the project's agreement of a and b: every
 * slide pooled by the service (counts and areas summed, kappa over all the
 * slides' matched points together).
 */
export function getProjectAgreement(api: ApiClient, projectId: string, a: Party, b: Party, distance: number, signal?: AbortSignal): Promise<Agreement> {
  return askAgreement(api, new URLSearchParams({ project_id: projectId, a, b, distance: String(distance) }), signal);
}

/** askAgreement is the one request both scopes make, and the check of its answer. */
async function askAgreement(api: ApiClient, q: URLSearchParams, signal?: AbortSignal): Promise<Agreement> {
  const body = await api.get<{ agreement?: Agreement }>(`/api/v1/annotations/agreement?${q}`, signal ? { signal } : {});
  const ag = body.agreement;
  if (ag === undefined || ag === null || typeof ag.matched_points !== 'number') throw new ApiError(200, 'internal', 'The server answered agreement without figures.');
  // No marks on either side: the service lists no categories (null).
  return { ...ag, categories: Array.isArray(ag.categories) ? ag.categories : [] };
}
