// Sign-in and API tokens: signing in is public; everything else concerns the caller's own session and tokens, so
// every signed-in user may use it and anonymous is refused 401.
import { everyone, only, type Matrix } from './types.js';

const signedIn = only('authority_admin', 'authority_officer', 'facility_operator', 'authorized_representative', 'verifier', 'trader');

export const AUTH: Matrix = {
  'POST /api/v1/session': everyone,
  'GET /api/v1/session': signedIn,
  'DELETE /api/v1/session': signedIn,
  'POST /api/v1/session/second-factor': signedIn,
  'POST /api/v1/session/totp': signedIn,
  'POST /api/v1/session/totp/confirm': signedIn,
  'GET /api/v1/session/csrf-token': signedIn,
  'POST /api/v1/tokens': signedIn,
  'GET /api/v1/tokens': signedIn,
  'DELETE /api/v1/tokens/{tokenId}': signedIn,
};
