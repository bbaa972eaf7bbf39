// Wire types of the Patholabel API, as the services document them.

export type SystemRole = 'admin' | 'user';
export type ProjectRole = 'manager' | 'annotator' | 'reviewer' | 'viewer' | 'model';

export interface User {
  id: number | string;
  username: string;
  display_name?: string;
  email?: string;
  system_role?: SystemRole;
}

/** SessionInfo is the answer of login and of /me. */
export interface SessionInfo {
  user: User;
  csrf_token: string;
}

export interface Project {
  id: number | string;
  name: string;
  description: string;
  role: ProjectRole | string;
  /** blind_annotators: annotators see only their own marks (enforced by the annotation service). */
  blind_annotators?: boolean;
}

export type SlideStatus = 'queued' | 'processing' | 'ready' | 'failed';

export interface Slide {
  id: number | string;
  project_id: number | string;
  case_id?: string;
  stain?: string;
  name: string;
  status: SlideStatus | string;
  progress?: number;
  /** viewable: tiles are served, from the pyramid or (while it is built) from the uploaded source. */
  viewable?: boolean;
  width?: number;
  height?: number;
  mpp_x?: number;
  mpp_y?: number;
  objective?: number;
  error?: string;
}

export interface Category {
  id: number | string;
  class_id: number;
  name: string;
  color: string;
  shortcut?: string;
  description?: string;
  order?: number;
  archived?: boolean;
}
