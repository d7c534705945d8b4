/** The signed-in session: tokens in localStorage (so a reload keeps you signed in), refreshed
 * shortly before the access token expires, one refresh at a time across concurrent requests. */

const STORAGE_KEY = "storyreel.session";
const REFRESH_MARGIN_MS = 30_000;

export interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

interface Stored {
  access: string;
  refresh: string;
  expiresAt: number;
}

type Listener = (signedIn: boolean) => void;

class Session {
  private stored: Stored | null = load();
  private refreshing: Promise<string | null> | null = null;
  private listeners = new Set<Listener>();

  get signedIn(): boolean {
    return this.stored !== null;
  }

  get refreshToken(): string | null {
    return this.stored?.refresh ?? null;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  begin(tokens: Tokens): void {
    this.save({
      access: tokens.access_token,
      refresh: tokens.refresh_token,
      expiresAt: Date.now() + tokens.expires_in * 1000,
    });
  }

  /** Forget the tokens (sign-out, or the server refused them). */
  end(): void {
    this.save(null);
  }

  expired(): void {
    if (this.stored) this.end();
  }

  /** A valid access token, refreshing it first when it is about to expire. */
  async accessToken(): Promise<string | null> {
    const s = this.stored;
    if (!s) return null;
    if (s.expiresAt - Date.now() > REFRESH_MARGIN_MS) return s.access;
    this.refreshing ??= this.refresh(s.refresh).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async refresh(refreshToken: string): Promise<string | null> {
    // Plain fetch: the API client's middleware would ask us for a token again.
    try {
      const response = await fetch("/api/v1/auth/refresh", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: refreshToken }),
      });
      if (!response.ok) {
        this.end();
        return null;
      }
      const tokens = (await response.json()) as Tokens;
      this.begin(tokens);
      return tokens.access_token;
    } catch {
      // Offline: keep the session and let the request fail with a network error.
      return this.stored?.access ?? null;
    }
  }

  private save(value: Stored | null): void {
    const was = this.stored !== null;
    this.stored = value;
    try {
      if (value) localStorage.setItem(STORAGE_KEY, JSON.stringify(value));
      else localStorage.removeItem(STORAGE_KEY);
    } catch {
      // Private mode without storage: the session lasts as long as the page.
    }
    if (was !== (value !== null)) this.listeners.forEach((l) => l(value !== null));
  }
}

function load(): Stored | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const value = JSON.parse(raw) as Stored;
    return value.access && value.refresh ? value : null;
  } catch {
    return null;
  }
}

export const session = new Session();
