/**
 * A stand-in for `@/lib/agents/auth-state` in unit tests of the caches that ride its
 * invalidation channel: always live, and `publish` reaches every listener at once, as the
 * real one does locally. Use it as the factory of `vi.mock`; `fakeAuthState.reset()` forgets
 * the listeners.
 */
type Listener = (message: { kind: string; id?: string }) => void;

const listeners: Listener[] = [];

export const fakeAuthState = {
  isLive: true,
  onInvalidation: (listener: Listener) => void listeners.push(listener),
  publish: async (message: { kind: string; id: string }) => listeners.forEach((listener) => listener(message)),
  reset: () => void listeners.splice(0),
};
