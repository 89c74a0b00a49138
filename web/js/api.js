// The API client: JSON in and out, the CSRF token on writes, and one place
// that turns "not signed in" into a trip to the sign-in page and back.
const CSRF_KEY = 'linkwell.csrf';

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && problem.detail) || `The server answered ${status}.`);
    this.status = status;
    this.problem = problem || {};
  }
}

export function setCsrf(token) {
  if (token) sessionStorage.setItem(CSRF_KEY, token);
  else sessionStorage.removeItem(CSRF_KEY);
}

let onUnauthorised = () => {};
export function whenSignedOut(fn) { onUnauthorised = fn; }

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const csrf = sessionStorage.getItem(CSRF_KEY);
  if (csrf && method !== 'GET') headers['X-CSRF-Token'] = csrf;
  let response;
  try {
    response = await fetch(path, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, { title: 'No connection', detail: 'linkwell could not be reached. Check your connection and try again.' });
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (response.ok) return data;
  if (response.status === 401 && path !== '/api/v1/session') {
    setCsrf(null);
    onUnauthorised(data);
  }
  throw new ApiError(response.status, data);
}
