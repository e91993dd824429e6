/** Console password sign-in against real Postgres and Redis: throttling of guessing. */
import { randomInt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createUser } from "@/lib/testing/factories";
import { hashSecret } from "./password";
import { SIGN_IN_LIMITS, SignInThrottled, signInWithPassword } from "./sign-in-with-password";

const PASSWORD = "the-right-password";
let counter = 0;
const freshIp = () => `10.${randomInt(1, 250)}.${randomInt(0, 255)}.${++counter}`;
const attempt = (email: string, password: string, address: string) =>
  signInWithPassword({ email, password, address }).then(
    (user) => (user ? "ok" : "wrong"),
    (error: unknown) => (error instanceof SignInThrottled ? `wait ${error.retryAfterSeconds}` : Promise.reject(error)),
  );

describe("signInWithPassword throttling", () => {
  it("after 30 wrong passwords the right one does not work from that address while it backs off", { timeout: 60_000 }, async () => {
    const user = await createUser({ passwordHash: await hashSecret(PASSWORD) });
    const ip = freshIp();
    const answers: string[] = [];
    for (let i = 0; i < 30; i++) answers.push(await attempt(user.email, `guess-${i}`, ip));
    expect(answers.slice(0, SIGN_IN_LIMITS.perAccountAndAddress + 1).every((a) => a === "wrong")).toBe(true);
    expect(answers.slice(SIGN_IN_LIMITS.perAccountAndAddress + 1).every((a) => a.startsWith("wait "))).toBe(true);

    const right = await attempt(user.email, PASSWORD, ip);
    expect(right).toMatch(/^wait [1-9]\d*$/);
    // Case does not open a second counter.
    expect(await attempt(user.email.toUpperCase(), PASSWORD, ip)).toMatch(/^wait /);
    // The owner, elsewhere, still signs in: one address's guessing does not lock the account.
    expect(await attempt(user.email, PASSWORD, freshIp())).toBe("ok");
  });

  it("backs off an account guessed from many addresses, and an address spraying many accounts", { timeout: 240_000 }, async () => {
    const user = await createUser({ passwordHash: await hashSecret(PASSWORD) });
    for (let i = 0; i <= SIGN_IN_LIMITS.perAccount; i++) expect(await attempt(user.email, `guess-${i}`, freshIp())).toBe("wrong");
    expect(await attempt(user.email, PASSWORD, freshIp())).toMatch(/^wait /);

    const sprayer = freshIp();
    for (let i = 0; i <= SIGN_IN_LIMITS.perAddress; i++) await attempt(`nobody-${counter}-${i}@example.test`, "x", sprayer);
    const victim = await createUser({ passwordHash: await hashSecret(PASSWORD) });
    expect(await attempt(victim.email, PASSWORD, sprayer)).toMatch(/^wait /);
    expect(await attempt(victim.email, PASSWORD, freshIp())).toBe("ok");
  });
});
