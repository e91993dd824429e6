/** Browser-side calls to Gatehouse's own JSON routes; errors carry the API's message. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export async function apiFetch<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(path, {
    method: init.method ?? "GET",
    headers: init.body === undefined ? undefined : { "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    credentials: "same-origin",
  });
  const text = await response.text();
  const data = text ? safeJson(text) : null;
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    const details = Array.isArray(error?.details)
      ? (error.details as { path: string; message: string }[]).map((d) => `${d.path}: ${d.message}`).join("; ")
      : "";
    throw new ApiError(
      [error?.message ?? `Request failed (${response.status})`, details].filter(Boolean).join(" "),
      response.status,
      error?.code ?? "unknown",
      error?.details,
    );
  }
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
