import type { ApiClient } from './client';
import { ApiError, networkError, parseError } from './error';

export interface UploadInfo {
  id: string;
  size: number;
  part_size: number;
  parts: number;
  status: string;
  slide_id?: number | null;
  received_parts: { number: number; size: number }[];
}

export interface UploadFields {
  project_id: number;
  name: string;
  size: number;
  case_id?: string;
  stain?: string;
}

export function startUpload(api: ApiClient, fields: UploadFields): Promise<UploadInfo> {
  return api.post<UploadInfo>('/api/v1/uploads', fields);
}

export function getUpload(api: ApiClient, id: string): Promise<UploadInfo> {
  return api.get<UploadInfo>(`/api/v1/uploads/${encodeURIComponent(id)}`);
}

export function completeUpload(api: ApiClient, id: string): Promise<{ id: number; status: string }> {
  return api.post<{ id: number; status: string }>(`/api/v1/uploads/${encodeURIComponent(id)}/complete`);
}

/**
 * putPart sends one part with XMLHttpRequest, the one browser API that
 * reports upload progress; onProgress gets the bytes of this part sent so far.
 */
export function putPart(id: string, n: number, body: Blob, csrf: string | undefined, onProgress: (sent: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', `/api/v1/uploads/${encodeURIComponent(id)}/parts/${n}`);
    if (csrf !== undefined) xhr.setRequestHeader('X-CSRF-Token', csrf);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (ev) => onProgress(ev.loaded);
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(parseError(xhr.status, xhr.statusText, xhr.responseText)));
    xhr.onerror = () => reject(networkError(new Error('upload connection failed')));
    xhr.onabort = () => reject(new ApiError(0, 'unavailable', 'The upload was stopped.'));
    xhr.send(body);
  });
}
