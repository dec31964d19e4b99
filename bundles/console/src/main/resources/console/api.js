// The console's only way to the appliance: /api/v1 with the token of a login, held in memory
// (never in the browser's storage or a cookie), so no other site can borrow it and a reload logs out.
let token = null;
let expired = () => {};

export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

export function onExpired(callback) {
  expired = callback;
}

export function loggedIn() {
  return token !== null;
}

export async function login(name, password) {
  const result = await call('POST', '/auth/login', {name, password});
  token = result.token;
  return result.account;
}

export async function logout() {
  try {
    if (token) await call('POST', '/auth/logout');
  } finally {
    token = null;
  }
}

export function forget() {
  token = null;
}

// call('GET', '/lists?list=block'); body is JSON unless type says otherwise; raw gives the Response.
export async function call(method, path, body, {type = 'application/json', raw = false} = {}) {
  // a download asks for whatever the operation produces (CSV, a backup); everything else is JSON
  const headers = {Accept: raw ? '*/*' : 'application/json'};
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload;
  if (body !== undefined) {
    payload = type === 'application/json' ? JSON.stringify(body) : body;
    headers['Content-Type'] = type;
  } else if (method === 'POST' || method === 'PUT') {
    headers['Content-Type'] = 'application/json'; // the API refuses a POST without a type (cross-site forgery)
  }
  const response = await fetch(`/api/v1${path}`, {method, headers, body: payload, credentials: 'omit', cache: 'no-store'});
  if (response.status === 401 && token && path !== '/auth/login') {
    token = null;
    expired();
  }
  if (!response.ok) {
    let error = {};
    try {
      error = await response.json();
    } catch (e) {
      // not the API's error shape (a proxy, a network error page): the status says enough
    }
    throw new ApiError(response.status, error.error || `http_${response.status}`, error.message || response.statusText,
      Number(response.headers.get('Retry-After')) || 0);
  }
  if (raw) return response;
  if (response.status === 204 || response.status === 202 && !(response.headers.get('Content-Type') || '').includes('json')) return null;
  return (response.headers.get('Content-Type') || '').includes('json') ? response.json() : response.text();
}
