import "@testing-library/jest-dom/vitest";

// jsdom has neither ResizeObserver nor matchMedia; antd asks for both (tables, text areas,
// tooltips, messages and wave effects observe sizes; the grid asks for breakpoints). One
// quiet stand-in each, for every test.
globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
} as unknown as typeof ResizeObserver;

window.matchMedia ??= ((query: string) => ({
  matches: false,
  media: query,
  onchange: null,
  addListener: () => undefined,
  removeListener: () => undefined,
  addEventListener: () => undefined,
  removeEventListener: () => undefined,
  dispatchEvent: () => false,
})) as unknown as typeof window.matchMedia;
