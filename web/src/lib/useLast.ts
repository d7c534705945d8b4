import { useState } from "react";

/** `value`, or the last non-null one: a drawer keeps showing what it showed while it closes. */
export function useLast<T>(value: T | null): T | null {
  const [last, setLast] = useState(value);
  if (value !== null && value !== last) setLast(value);
  return value ?? last;
}
