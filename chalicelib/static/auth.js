// The seller's session: a JWT kept in sessionStorage (gone when the tab closes), sent as a
// Bearer token. Development: the local issuer (POST /dev/login). Production: Cognito's hosted
// UI (implicit flow: the id_token comes back in the URL fragment, checked against our state).
const TOKEN = "offerline.token";
const USER = "offerline.user";
const PENDING = "offerline.cognito";

function decodeClaims(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = decodeURIComponent(Array.from(atob(payload), (c) => "%" + c.charCodeAt(0).toString(16).padStart(2, "0")).join(""));
    return JSON.parse(json);
  } catch {
    return null;
  }
}

export const session = {
  token() {
    const token = sessionStorage.getItem(TOKEN);
    if (!token) return null;
    const claims = decodeClaims(token);
    if (!claims || (claims.exp && claims.exp * 1000 <= Date.now())) {
      this.clear();
      return null;
    }
    return token;
  },
  // Who is logged in, from the token's claims (the API checks the signature on every call).
  user() {
    const token = this.token();
    if (!token) return null;
    const claims = decodeClaims(token);
    const known = JSON.parse(sessionStorage.getItem(USER) || "{}");
    return {
      id: claims.sub,
      dealerId: claims["custom:dealer_id"],
      role: claims["custom:role"],
      email: claims.email || known.email || "",
      name: known.name || claims.name || claims.email || "",
      expiresAt: claims.exp ? new Date(claims.exp * 1000) : null,
    };
  },
  isAdmin() {
    return this.user()?.role === "admin";
  },
  canEditTemplates() {
    return ["admin", "manager"].includes(this.user()?.role);
  },
  start(token, details = {}) {
    sessionStorage.setItem(TOKEN, token);
    sessionStorage.setItem(USER, JSON.stringify(details));
  },
  remember(details) {
    const known = JSON.parse(sessionStorage.getItem(USER) || "{}");
    sessionStorage.setItem(USER, JSON.stringify({ ...known, ...details }));
  },
  clear() {
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(USER);
  },
};

// --- development: the local issuer ------------------------------------------------------

export async function localLogin(email, post) {
  const answer = await post("/dev/login", { email });
  session.start(answer.token, { name: answer.name, email });
  return answer;
}

// --- production: Cognito's hosted UI ----------------------------------------------------

function randomText(bytes = 24) {
  const values = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...values)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function cognitoLoginUrl(config) {
  const state = randomText();
  const nonce = randomText();
  const wanted = sessionStorage.getItem("offerline.back");
  const back = wanted && wanted.startsWith("#/") && wanted !== "#/login" ? wanted : "#/leads";
  sessionStorage.setItem(PENDING, JSON.stringify({ state, nonce, back }));
  const url = new URL(`${config.hosted_ui_url}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: "token",
    client_id: config.client_id,
    redirect_uri: config.redirect_uri,
    scope: "openid email profile",
    state,
    nonce,
  }).toString();
  return url.href;
}

// Called on every page load: takes the id_token Cognito put in the fragment, if any.
// Returns {ok: true, back} when a token was stored, {ok: false, error} when the answer is
// refused, or null when the URL carries no answer from Cognito.
export function takeCognitoAnswer() {
  const fragment = location.hash.replace(/^#/, "");
  if (!/(^|&)(id_token|error)=/.test(fragment)) return null;
  const answer = new URLSearchParams(fragment);
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, "", location.pathname + location.search);
  if (answer.get("error")) {
    return { ok: false, error: answer.get("error_description") || answer.get("error") };
  }
  const token = answer.get("id_token");
  const claims = decodeClaims(token);
  if (!pending || answer.get("state") !== pending.state) {
    return { ok: false, error: "Réponse de connexion inattendue : recommencez la connexion." };
  }
  if (!claims || (claims.nonce && claims.nonce !== pending.nonce)) {
    return { ok: false, error: "Jeton de connexion refusé : recommencez la connexion." };
  }
  session.start(token, { email: claims.email || "", name: claims.name || claims.email || "" });
  return { ok: true, back: pending.back };
}

export function cognitoLogoutUrl(config) {
  if (!config.hosted_ui_url || !config.client_id) return null;
  const url = new URL(`${config.hosted_ui_url}/logout`);
  url.search = new URLSearchParams({ client_id: config.client_id, logout_uri: config.redirect_uri }).toString();
  return url.href;
}
