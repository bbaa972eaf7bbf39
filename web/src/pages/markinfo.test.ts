import { describe, expect, it } from 'vitest';
import type { ReviewNote } from '../api/review';
import { reviewSummary } from './markinfo';

const note: ReviewNote = { decision: 'rejected', comment: 'A lymphocyte, not a tumour cell.', reviewer: '6', at: '2024-05-02T10:00:00Z', version: 4 };
const name = (id: string): string => (id === '6' ? 'Dr Review' : `User ${id}`);

describe('reviewSummary', () => {
  it('says who decided what, when, with their comment', () => {
    expect(reviewSummary(note, 'rejected', 4, name)).toEqual({ by: 'Rejected by Dr Review on 2024-05-02', comment: 'A lymphocyte, not a tumour cell.' });
  });

  it('says when the mark was edited after the review (which sets it back to pending)', () => {
    expect(reviewSummary(note, 'pending', 5, name).by).toBe('Edited since the last review (Rejected by Dr Review on 2024-05-02)');
    expect(reviewSummary({ ...note, decision: 'accepted', comment: '' }, 'accepted', 7, name)).toEqual({
      by: 'Edited since the last review (Accepted by Dr Review on 2024-05-02)',
      comment: '',
    });
  });
});
