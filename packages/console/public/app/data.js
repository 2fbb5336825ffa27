// Loading state for a view: what an API read returned, or the problem it answered.
import { load } from './api.js';
import { useEffect, useState } from './ui.js';

/** Reads `path` (skipped while null); `reload()` reads it again. */
export function useLoad(path) {
  const [state, setState] = useState({ data: null, error: null });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (path === null) return undefined;
    let current = true;
    setState({ data: null, error: null });
    load(path).then(
      (data) => current && setState({ data, error: null }),
      (err) =>
        current && setState({ data: null, error: err.problem ?? { title: err.message }, status: err.status }),
    );
    return () => {
      current = false;
    };
  }, [path, version]);
  return { ...state, reload: () => setVersion((v) => v + 1) };
}

/** A query string from the non-empty fields of `params`. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== '' && v !== null && v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * A cursor-paginated list (docs/api-conventions.md, "Lists"): `pathOf(cursor)` names a page.
 * Read again from the start whenever `deps` change; `more()` appends the next page, `page` is
 * the last page's whole body, `setRows` lets a view show what a write changed.
 */
export function usePages(pathOf, deps) {
  const [rows, setRows] = useState(null);
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  const fetchPage = async (cursor) => {
    try {
      const body = await load(pathOf(cursor));
      setRows((r) => (cursor ? [...(r ?? []), ...body.data] : body.data));
      setPage(body);
      setError(null);
    } catch (e) {
      setRows([]);
      setError(e.problem ?? { title: e.message });
    }
  };
  useEffect(() => {
    void fetchPage(null);
  }, deps);
  const next = page?.next_cursor ?? null;
  return { rows, setRows, page, error, next, more: () => fetchPage(next), reload: () => fetchPage(null) };
}
