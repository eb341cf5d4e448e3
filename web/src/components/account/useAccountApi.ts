'use client';

import { useCallback } from 'react';
import { callAuthed, type ApiRequest, type ApiResult } from '../../lib/account/api';
import { useSession } from '../session/SessionProvider';

/** `call(request)`: an account route with the signed-in user's access token (see lib/account/api). */
export function useAccountApi() {
  const { tokens } = useSession();
  return useCallback(<T = unknown,>(request: ApiRequest): Promise<ApiResult<T>> => callAuthed<T>(tokens, request), [tokens]);
}

/** The user as GET /api/auth/me answers. */
export interface AccountUser {
  id: string;
  email: string;
  name: string;
  createdAt: string;
  emailVerified: boolean;
  twoFactorEnabled: boolean;
}

/** Puts an error on one field and moves the focus there (the form's own alert stays empty). */
export function focusField(form: HTMLFormElement | null, name: string): void {
  const element = form?.elements.namedItem(name);
  if (element instanceof HTMLElement) element.focus();
}
