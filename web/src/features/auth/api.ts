import { api, unwrap } from "../../api/client";
import { session } from "../../auth/session";

export interface Fields {
  email: string;
  password: string;
  display_name?: string;
}

/** Registers (unless this email was already registered from this page: a retry after the
 * sign-in step failed must not answer "email taken"), then signs in. */
export async function signIn(fields: Fields, signup: boolean, registered: Set<string>): Promise<void> {
  if (signup && !registered.has(fields.email)) {
    await unwrap(
      api.POST("/api/v1/auth/register", {
        body: { email: fields.email, password: fields.password, display_name: fields.display_name ?? "" },
      }),
    );
    registered.add(fields.email);
  }
  const tokens = await unwrap(
    api.POST("/api/v1/auth/login", { body: { email: fields.email, password: fields.password } }),
  );
  session.begin(tokens);
}
