// What every screen needs about the seller's dealer, loaded once per page load: the dealer
// (settings, branches, legal information), its users (names of owners and event authors)
// and the login configuration.
import { get } from "./api.js";
import { session } from "./auth.js";

let cached = null;
let config = null;

export async function loginConfig() {
  if (!config) {
    const response = await fetch(new URL("app/config.json", document.baseURI), { cache: "no-store" });
    config = response.ok ? await response.json() : { login: "local" };
  }
  return config;
}

export async function context(reload = false) {
  if (!cached || reload) {
    const [dealer, users] = await Promise.all([get("/dealer"), get("/users")]);
    const me = users.find((user) => user.id === session.user()?.id) || null;
    if (me) session.remember({ name: me.name, email: me.email });
    cached = { dealer, users, me };
  }
  return cached;
}

export function forget() {
  cached = null;
}

export function setDealer(dealer) {
  if (cached) cached.dealer = dealer;
}

export function setMe(user) {
  if (cached) {
    cached.me = user;
    cached.users = cached.users.map((known) => (known.id === user.id ? user : known));
  }
}

export function userName(users, id) {
  if (id === "customer") return "Client";
  if (id === "system") return "Offerline";
  return users.find((user) => user.id === id)?.name || "Utilisateur inconnu";
}

export const ROLES = { seller: "Vendeur", manager: "Responsable", admin: "Administrateur", back_office: "ADV" };
