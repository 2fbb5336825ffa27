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
