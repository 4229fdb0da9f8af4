"""A stand-in for Cognito's hosted UI, on this machine: what the seller front and the API talk to.

- `GET /oauth2/authorize`: the seller is already signed in (like Cognito's own session cookie),
  so it answers at once with a redirect to `redirect_uri?code=…&state=…`, after checking the
  request as Cognito does (response type, client, redirect URI, scope, S256 challenge) and
  recording the challenge with the one-time code.
- `POST /oauth2/token`: `authorization_code` only, form-encoded; the code is used once, for the
  same client and redirect URI, and only with the verifier whose SHA-256 is the recorded
  challenge; answers Cognito's JSON (`id_token` signed RS256, `access_token`, `refresh_token`)
  with the CORS header for the front's origin, as Cognito does.
- `GET /pool/.well-known/jwks.json`: the public key the API is configured to trust
  (issuer `<url>/pool`, audience the client id, as in a Cognito id token).
"""
import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_ID = "fake-cognito-key-1"


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


@dataclass
class Grant:
    challenge: str
    client_id: str
    redirect_uri: str
    claims: dict
    used: bool = False


@dataclass
class FakeCognito:
    client_id: str
    redirect_uri: str
    app_origin: str
    user: dict = field(default_factory=dict)  # sub, email, custom:dealer_id, custom:role
    answer_state: str | None = None  # set: the redirect carries this state instead of the one asked
    deny: bool = False  # set: the redirect carries error=access_denied
    authorizations: list[dict] = field(default_factory=list)
    exchanges: list[dict] = field(default_factory=list)  # each token request: its form and our answer
    issued: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.grants: dict[str, Grant] = {}
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.issuer = f"{self.url}/pool"
        self.jwks_url = f"{self.issuer}/.well-known/jwks.json"
        threading.Thread(target=self.server.serve_forever, name="fake-cognito", daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def jwks(self) -> dict:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [public | {"kid": KEY_ID, "alg": "RS256", "use": "sig"}]}

    def id_token(self, claims: dict) -> str:
        now = int(time.time())
        body = {"iss": self.issuer, "aud": self.client_id, "token_use": "id", "auth_time": now,
                "iat": now, "exp": now + 3600, **claims}
        return jwt.encode(body, self.key, algorithm="RS256", headers={"kid": KEY_ID})

    # --- the two endpoints ----------------------------------------------------------------

    def authorize(self, query: dict[str, str]) -> tuple[int, dict, str | None]:
        self.authorizations.append(query)
        problem = (
            "unsupported_response_type" if query.get("response_type") != "code"
            else "invalid_client" if query.get("client_id") != self.client_id
            else "redirect_mismatch" if query.get("redirect_uri") != self.redirect_uri
            else "invalid_scope" if "openid" not in query.get("scope", "").split()
            else "invalid_request" if query.get("code_challenge_method") != "S256" or not query.get("code_challenge")
            else None
        )
        if problem:  # Cognito shows its own error page: it never redirects to an unknown URI
            return 400, {"Content-Type": "text/plain"}, problem
        state = self.answer_state if self.answer_state is not None else query.get("state", "")
        if self.deny:
            answer = {"error": "access_denied", "state": state}
        else:
            code = secrets.token_urlsafe(24)
            with self.lock:
                self.grants[code] = Grant(query["code_challenge"], query["client_id"], query["redirect_uri"],
                                          dict(self.user))
            answer = {"code": code, "state": state}
        return 302, {"Location": f"{query['redirect_uri']}?{urlencode(answer)}"}, None

    def token(self, form: dict[str, str]) -> tuple[int, dict]:
        with self.lock:
            grant = self.grants.get(form.get("code", ""))
            if form.get("grant_type") != "authorization_code":
                answer = 400, {"error": "unsupported_grant_type"}
            elif form.get("client_id") != self.client_id:
                answer = 400, {"error": "invalid_client"}
            elif grant is None or grant.used:
                answer = 400, {"error": "invalid_grant"}
            elif form.get("redirect_uri") != grant.redirect_uri or form.get("client_id") != grant.client_id:
                answer = 400, {"error": "invalid_grant"}
            elif s256(form.get("code_verifier", "")) != grant.challenge:
                grant.used = True  # a wrong verifier burns the code too
                answer = 400, {"error": "invalid_grant"}
            else:
                grant.used = True
                token = self.id_token(grant.claims)
                self.issued.append(token)
                answer = 200, {"id_token": token, "access_token": secrets.token_urlsafe(32),
                               "refresh_token": secrets.token_urlsafe(32), "expires_in": 3600,
                               "token_type": "Bearer"}
        self.exchanges.append({"form": form, "status": answer[0], "answer": answer[1]})
        return answer


def _handler(cognito: FakeCognito):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _cors(self) -> dict:
            origin = self.headers.get("Origin")
            return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"} if origin == cognito.app_origin else {}

        def _answer(self, status: int, headers: dict, body: str | bytes = b"") -> None:
            data = body.encode() if isinstance(body, str) else body
            self.send_response(status)
            for name, value in {**headers, "Cache-Control": "no-store", "Content-Length": str(len(data))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            parts = urlsplit(self.path)
            if parts.path == "/oauth2/authorize":
                query = {name: values[0] for name, values in parse_qs(parts.query).items()}
                status, headers, text = cognito.authorize(query)
                self._answer(status, headers, text or b"")
            elif parts.path == urlsplit(cognito.jwks_url).path:
                self._answer(200, {"Content-Type": "application/json"}, json.dumps(cognito.jwks()))
            else:
                self._answer(404, {"Content-Type": "text/plain"}, "not found")

        def do_OPTIONS(self):
            self._answer(204, {**self._cors(), "Access-Control-Allow-Methods": "POST",
                               "Access-Control-Allow-Headers": "Content-Type"})

        def do_POST(self):
            if urlsplit(self.path).path != "/oauth2/token":
                self._answer(404, {"Content-Type": "text/plain"}, "not found")
                return
            if not self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
                self._answer(400, {**self._cors(), "Content-Type": "application/json"},
                             json.dumps({"error": "invalid_request"}))
                return
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            form = {name: values[0] for name, values in parse_qs(raw).items()}
            status, payload = cognito.token(form)
            self._answer(status, {**self._cors(), "Content-Type": "application/json"}, json.dumps(payload))

    return Handler
