// The seller's session: a JWT kept in sessionStorage (gone when the tab closes), sent as a
// Bearer token. Development: the local issuer (POST /dev/login). Production: Cognito's hosted
// UI with the authorization code grant and PKCE (S256): Cognito sends back a one-time code,
// which this page exchanges at the token endpoint with the verifier only it holds.
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

// --- production: Cognito's hosted UI (authorization code + PKCE) -------------------------

const REFUSED = "Réponse de connexion inattendue : recommencez la connexion.";
const COGNITO_ERRORS = {
  access_denied: "La connexion a été refusée ou annulée : recommencez la connexion.",
  invalid_grant: "Le code de connexion a expiré ou a déjà servi : recommencez la connexion.",
  invalid_client: "L'application n'est pas reconnue par le service de connexion : contactez l'administrateur d'Offerline.",
  unauthorized_client: "L'application n'est pas autorisée par le service de connexion : contactez l'administrateur d'Offerline.",
  invalid_request: "La demande de connexion est incomplète : recommencez la connexion.",
  server_error: "Le service de connexion a rencontré une erreur : réessayez dans un instant.",
  temporarily_unavailable: "Le service de connexion est indisponible : réessayez dans un instant.",
};

function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomText(bytes) {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

// RFC 7636: code_challenge = BASE64URL(SHA-256(ASCII(code_verifier))).
async function challengeOf(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

// The hosted UI's authorize URL. The verifier and the state stay in this tab's sessionStorage
// until Cognito sends the seller back; only the verifier's hash leaves the browser now.
export async function cognitoLoginUrl(config) {
  if (!globalThis.crypto?.subtle) {
    throw new Error("La connexion sécurisée demande une adresse en https : contactez l'administrateur d'Offerline.");
  }
  const verifier = randomText(32); // 43 characters of base64url (RFC 7636: 43 to 128)
  const state = randomText(24);
  const wanted = sessionStorage.getItem("offerline.back");
  const back = wanted && wanted.startsWith("#/") && wanted !== "#/login" ? wanted : "#/leads";
  sessionStorage.setItem(PENDING, JSON.stringify({ state, verifier, back }));
  const url = new URL(`${config.hosted_ui_url}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: config.client_id,
    redirect_uri: config.redirect_uri,
    scope: "openid email profile",
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: "S256",
  }).toString();
  return url.href;
}

// True when the page was opened by Cognito's redirect (?code=…&state=… or ?error=…).
export function isCognitoAnswer() {
  const query = new URLSearchParams(location.search);
  return query.has("code") || query.has("error");
}

// Called on page load when isCognitoAnswer(): checks the state, exchanges the code for the
// tokens and keeps the id token (the one the API verifies: its audience is the app client).
// The code and the pending verifier are removed before the exchange, so a reload or the
// back button never sends the same code twice.
// Returns {ok: true, back} when a token was stored, {ok: false, error} when refused.
export async function takeCognitoAnswer(config) {
  const answer = new URLSearchParams(location.search);
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, "", location.pathname + location.hash);
  if (!pending || !pending.verifier || answer.get("state") !== pending.state) {
    return { ok: false, error: REFUSED };
  }
  if (answer.get("error")) {
    return { ok: false, error: COGNITO_ERRORS[answer.get("error")] || `La connexion a échoué (${answer.get("error")}) : recommencez la connexion.` };
  }
  if (!config.hosted_ui_url || !config.client_id) {
    return { ok: false, error: "La connexion n'est pas configurée (Cognito) : contactez l'administrateur d'Offerline." };
  }
  let response;
  try {
    response = await fetch(`${config.hosted_ui_url}/oauth2/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: config.client_id,
        code: answer.get("code") || "",
        redirect_uri: config.redirect_uri,
        code_verifier: pending.verifier,
      }),
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    return { ok: false, error: "Le service de connexion ne répond pas : vérifiez la connexion, puis recommencez." };
  }
  const tokens = await response.json().catch(() => null);
  if (!response.ok) {
    return { ok: false, error: COGNITO_ERRORS[tokens?.error] || `La connexion a échoué (erreur ${response.status}) : recommencez la connexion.` };
  }
  const claims = tokens?.id_token ? decodeClaims(tokens.id_token) : null;
  if (!claims || (claims.aud && claims.aud !== config.client_id)) {
    return { ok: false, error: "Jeton de connexion refusé : recommencez la connexion." };
  }
  session.start(tokens.id_token, { email: claims.email || "", name: claims.name || claims.email || "" });
  return { ok: true, back: pending.back };
}

export function cognitoLogoutUrl(config) {
  if (!config.hosted_ui_url || !config.client_id) return null;
  const url = new URL(`${config.hosted_ui_url}/logout`);
  url.search = new URLSearchParams({ client_id: config.client_id, logout_uri: config.redirect_uri }).toString();
  return url.href;
}
