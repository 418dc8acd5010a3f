/** A small HTTP client for tests against the real server: JSON in, JSON (or text) out, nothing mocked. */
export type HttpAnswer = {
  status: number;
  headers: Headers;
  /** Parsed JSON when the answer is JSON, else the text. */
  body: unknown;
  text: string;
};

export type RequestOptions = {
  /** Sent as `Authorization: Bearer <key>`. */
  key?: string;
  /** Serialised as JSON. */
  body?: unknown;
  /** Sent as is (malformed JSON, oversize bodies). */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
};

export class HttpClient {
  constructor(readonly baseUrl: string) {}

  async request(method: string, path: string, options: RequestOptions = {}): Promise<HttpAnswer> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
    let body: string | Buffer | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body, signal: AbortSignal.timeout(15_000) });
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').includes('application/json');
    return { status: response.status, headers: response.headers, body: isJson && text !== '' ? (JSON.parse(text) as unknown) : text, text };
  }

  get(path: string, options?: RequestOptions): Promise<HttpAnswer> {
    return this.request('GET', path, options);
  }
  post(path: string, options?: RequestOptions): Promise<HttpAnswer> {
    return this.request('POST', path, options);
  }
  put(path: string, options?: RequestOptions): Promise<HttpAnswer> {
    return this.request('PUT', path, options);
  }

  patch(path: string, options?: RequestOptions): Promise<HttpAnswer> {
    return this.request('PATCH', path, options);
  }
  delete(path: string, options?: RequestOptions): Promise<HttpAnswer> {
    return this.request('DELETE', path, options);
  }
}

/** The error code of an error answer, for compact assertions. */
export function errorCode(answer: HttpAnswer): string | undefined {
  const body = answer.body as { error?: { code?: string } } | undefined;
  return body?.error?.code;
}
