import { request as httpRequest } from 'node:http';
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
    const { headers, body } = headersAndBody(options);
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

/** The headers and body a request's options make: the key as a bearer key, a JSON body unless given raw. */
function headersAndBody(options: RequestOptions): { headers: Record<string, string>; body: string | Buffer | undefined } {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
  return { headers, body };
}

/** The error code of an error answer, for compact assertions. */
export function errorCode(answer: HttpAnswer): string | undefined {
  const body = answer.body as { error?: { code?: string } } | undefined;
  return body?.error?.code;
}

/**
 * One request sent exactly as written, through node:http rather than fetch: fetch normalises the target (it drops an
 * empty query and the fragment, and resolves `\` and dot segments), which a test of how the server reads raw targets
 * must not have done for it.
 */
export function rawHttpRequest(baseUrl: string, method: string, target: string, options: RequestOptions = {}): Promise<HttpAnswer> {
  const { hostname, port } = new URL(baseUrl);
  const { headers, body } = headersAndBody(options);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ hostname, port, method, path: target, headers, timeout: 15_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const answerHeaders = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) answerHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        const isJson = (answerHeaders.get('content-type') ?? '').includes('application/json');
        resolve({
          status: response.statusCode ?? 0,
          headers: answerHeaders,
          body: isJson && text !== '' ? (JSON.parse(text) as unknown) : text,
          text,
        });
      });
    });
    request.on('timeout', () => request.destroy(new Error(`no answer to ${method} ${target} within 15 s`)));
    request.on('error', reject);
    request.end(body);
  });
}
